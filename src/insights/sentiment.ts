/**
 * Sentiment of an utterance from wink-nlp's English model (a maintained lexicon with negation and
 * emphasis handling, not a hand-written word list): −1 negative … +1 positive. The model loads once,
 * lazily (~80 ms), on the main thread: the engine worker only ever receives the score.
 */
import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';

let nlp: ReturnType<typeof winkNLP> | null = null;

export function sentimentOf(text: string): number {
  nlp ??= winkNLP(model);
  if (!/[a-z]/i.test(text)) return 0;
  return nlp.readDoc(text).out(nlp.its.sentiment) as number;
}
