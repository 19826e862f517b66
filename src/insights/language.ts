/**
 * Post-call insights on what was said, from the stored transcript and the playbook, offline and
 * deterministic: the same phrase matcher as the live cards (src/shared/phrase.ts), the same sentiment
 * model as the live feed. Adds the rubric's language items (checklist, objections handled, questions
 * asked) to the voice score, and runs as a post-call step so `cadence reanalyze` can redo it after a
 * playbook change.
 */
import type { PostCallStep } from '../call/finalize';
import type { Library } from '../library/library';
import type { TranscriptSegment } from '../library/types';
import type { CallInsight, CallInsights, InsightEvidence } from '../shared/insights';
import type { CoachingMoment, KeyMoment, LanguageInsights } from '../shared/language-insights';
import { compilePhrase, countFillers, findPhrase, isQuestion, tokenize } from '../shared/phrase';
import type { Playbook, Rule } from '../shared/playbook';
import { playbookTargets } from '../shared/playbook-targets';
import type { ChannelName } from '../shared/types';
import { item, scoreCall } from './score';
import { sentimentOf } from './sentiment';

/** Utterances averaged for the customer's sentiment at the start and at the end. */
const SENTIMENT_SPAN = 3;
/** An objection counts as handled when the agent answers within this long and it is not raised again. */
const ANSWER_WITHIN_MS = 30_000;

const wordsOf = (s: TranscriptSegment): string[] => (s.words && s.words.length > 0 ? s.words.map((w) => w.word) : s.text.split(/\s+/).filter((w) => w.length > 0));
const mean = (xs: readonly number[]): number | null => (xs.length === 0 ? null : Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000);
const speaks = (speaker: 'agent' | 'customer' | 'either', ch: ChannelName): boolean => speaker === 'either' || speaker === ch;

interface Hit {
  readonly seg: number;
  readonly atMs: number;
}

/** The first utterance (from `from`) in which `speaker` says one of the phrases, with the time of the matching word. */
function matches(finals: readonly TranscriptSegment[], speaker: 'agent' | 'customer' | 'either', phrases: readonly string[]): Hit[] {
  const compiled = phrases.map(compilePhrase);
  const hits: Hit[] = [];
  finals.forEach((s, i) => {
    if (!speaks(speaker, s.channel)) return;
    const words = wordsOf(s);
    const { tokens, from } = tokenize(words);
    const hit = findPhrase(compiled, tokens);
    if (hit) hits.push({ seg: i, atMs: s.words?.[from[hit.first]!]?.startMs ?? s.startMs });
  });
  return hits;
}

export function languageInsights(transcript: readonly TranscriptSegment[], playbook: Playbook, durationMs: number): { language: LanguageInsights; items: CallInsight[] } {
  const finals = transcript.filter((s) => s.final).slice().sort((a, b) => a.startMs - b.startMs);
  const side = (ch: ChannelName) => finals.filter((s) => s.channel === ch);
  const talkMin = (ch: ChannelName) => side(ch).reduce((sum, s) => sum + Math.max(0, s.endMs - s.startMs), 0) / 60000;
  const fillers = { agent: side('agent').reduce((n, s) => n + countFillers(wordsOf(s)), 0), customer: side('customer').reduce((n, s) => n + countFillers(wordsOf(s)), 0) };
  const perMin = (n: number, min: number) => (min > 0 ? Math.round((n / min) * 10) / 10 : 0);
  const questions = { agent: side('agent').filter((s) => isQuestion(s.text)).length, customer: side('customer').filter((s) => isQuestion(s.text)).length };

  let switches = 0;
  const pauses: number[] = [];
  for (let i = 1; i < finals.length; i++) {
    if (finals[i]!.channel === finals[i - 1]!.channel) continue;
    switches++;
    if (finals[i]!.channel === 'agent') pauses.push(Math.max(0, finals[i]!.startMs - finals[i - 1]!.endMs));
  }
  const customerSentiment = side('customer').map((s) => ({ s, v: sentimentOf(s.text) }));

  const excerpt = (i: number): string => {
    const s = finals[i]!;
    const reply = finals.slice(i + 1).find((r) => r.channel !== s.channel);
    return `${s.channel}: “${s.text}”${reply ? ` — ${reply.channel}: “${reply.text}”` : ''}`;
  };

  const moments: KeyMoment[] = [];
  const coaching: CoachingMoment[] = [];
  const objections: { rule: Rule; hit: Hit; handled: boolean }[] = [];
  const rules = playbook.rules.filter((r) => r.enabled);
  for (const rule of rules) {
    const c = rule.condition;
    let hits: Hit[] = [];
    if (c.type === 'phrase') hits = matches(finals, c.speaker, c.phrases);
    else if (c.type === 'sentiment') {
      const mine = c.speaker === 'customer' ? customerSentiment : side('agent').map((s) => ({ s, v: sentimentOf(s.text) }));
      mine.forEach((x, k) => {
        if (k + 1 >= c.turns && mine.slice(k + 1 - c.turns, k + 1).every((y) => y.v < c.below)) hits.push({ seg: finals.indexOf(x.s), atMs: x.s.startMs });
      });
    } else continue;
    // Moments follow the cards' cooldown and cap, so the review matches what the agent saw.
    let last = -Infinity;
    let fired = 0;
    for (const hit of hits) {
      if (hit.atMs - last < rule.cooldownMs || fired >= rule.maxPerCall) continue;
      last = hit.atMs;
      fired++;
      const seg = finals[hit.seg]!;
      moments.push({ atMs: hit.atMs, kind: rule.id, label: rule.title, channel: seg.channel, excerpt: seg.text });
      if (seg.channel === 'customer' && rule.severity !== 'info') {
        coaching.push({ atMs: hit.atMs, what: rule.title, excerpt: excerpt(hit.seg), instead: rule.detail ?? rule.message });
        if (c.type === 'phrase') {
          const answered = finals.slice(hit.seg + 1).some((r) => r.channel === 'agent' && r.startMs - seg.endMs <= ANSWER_WITHIN_MS);
          const again = hits.some((h) => h.seg > hit.seg && h.atMs - hit.atMs >= 1 && finals[h.seg]!.channel === 'customer');
          objections.push({ rule, hit, handled: answered && !again });
        }
      }
    }
  }

  // The checklist: ticked when first said; a miss is a key moment at its deadline (or the call's end).
  const deadlines = new Map<string, { afterMs: number; rule: Rule }>();
  for (const rule of rules) if (rule.condition.type === 'missed') deadlines.set(rule.condition.item, { afterMs: rule.condition.afterMs, rule });
  const checklist = playbook.checklist.map((it) => {
    const hit = matches(finals, it.speaker, it.phrases)[0];
    return { id: it.id, title: it.title, tickedAtMs: hit ? hit.atMs : null, item: it };
  });
  if (finals.some((s) => s.channel === 'agent')) {
    for (const c of checklist) {
      const d = deadlines.get(c.id);
      const late = d ? c.tickedAtMs === null || c.tickedAtMs > d.afterMs : c.tickedAtMs === null;
      if (!late) continue;
      // A call that ended before the deadline without the item missed it at its end.
      const atMs = d ? Math.min(d.afterMs, durationMs) : durationMs;
      const what = c.tickedAtMs === null ? `Missed: ${c.title}` : `Late: ${c.title}`;
      moments.push({ atMs, kind: `missed:${c.id}`, label: what, channel: 'agent', excerpt: '' });
      const before = finals.filter((s) => s.channel === 'agent' && s.startMs <= atMs).at(-1);
      coaching.push({ atMs, what, excerpt: before ? `agent: “${before.text}”` : '', instead: c.item.advice ?? d?.rule.detail ?? d?.rule.message ?? `Say it: ${c.item.phrases[0]!}` });
    }
  }
  moments.sort((a, b) => a.atMs - b.atMs);
  coaching.sort((a, b) => a.atMs - b.atMs);

  const startS = customerSentiment.slice(0, SENTIMENT_SPAN).map((x) => x.v);
  const endS = customerSentiment.slice(-SENTIMENT_SPAN).map((x) => x.v);
  const language: LanguageInsights = {
    questions,
    fillers,
    fillersPerMin: { agent: perMin(fillers.agent, talkMin('agent')), customer: perMin(fillers.customer, talkMin('customer')) },
    interactivity: durationMs > 0 ? Math.round((switches / (durationMs / 60000)) * 10) / 10 : 0,
    patienceMs: pauses.length > 0 ? Math.round(pauses.reduce((a, b) => a + b, 0) / pauses.length) : null,
    sentiment: { start: mean(startS), end: mean(endS) },
    checklist: checklist.map(({ id, title, tickedAtMs }) => ({ id, title, tickedAtMs })),
    keyMoments: moments,
    coaching,
  };

  // Rubric items, each with its evidence.
  const rubric = playbook.languageRubric;
  const items: CallInsight[] = [];
  if (checklist.length > 0 && rubric.checklist > 0) {
    const done = checklist.filter((c) => c.tickedAtMs !== null && !moments.some((m) => m.kind === `missed:${c.id}`));
    const ev: InsightEvidence[] = checklist.map((c) => ({ atMs: c.tickedAtMs ?? durationMs, endMs: null, label: `${c.title}: ${done.includes(c) ? 'done' : c.tickedAtMs === null ? 'missed' : 'late'}` }));
    items.push(item('checklist', 'Checklist', rubric.checklist, done.length / checklist.length, `${done.length} of ${checklist.length} checklist items done in time.`, `Work in: ${checklist.filter((c) => !done.includes(c)).map((c) => c.title).join(', ')}.`, ev));
  }
  if (rubric.objections > 0) {
    const handled = objections.filter((o) => o.handled).length;
    const ev = objections.map((o) => ({ atMs: o.hit.atMs, endMs: null, label: `${o.rule.title}: ${o.handled ? 'handled' : 'not resolved'}` }));
    items.push(item('objections', 'Objections handled', rubric.objections, objections.length === 0 ? 1 : handled / objections.length, objections.length === 0 ? 'No objections raised.' : `${handled} of ${objections.length} objections handled.`, 'Acknowledge the objection, ask what is behind it, answer with value.', ev));
  }
  if (rubric.questions > 0) {
    const asked = finals.filter((s) => s.channel === 'agent' && isQuestion(s.text));
    items.push(
      item('questions', 'Questions asked', rubric.questions, Math.min(1, questions.agent / rubric.questionsTarget), `You asked ${questions.agent} question${questions.agent === 1 ? '' : 's'} (aim for ${rubric.questionsTarget} or more).`, 'Ask open questions to understand the customer’s situation.', asked.map((s) => ({ atMs: s.startMs, endMs: s.endMs, label: s.text.slice(0, 60) }))),
    );
  }
  return { language, items };
}

/** Voice insights plus the language ones; the score is the points' share of their maximum. */
export function withLanguage(voice: CallInsights, transcript: readonly TranscriptSegment[], playbook: Playbook, durationMs: number): CallInsights {
  const { language, items } = languageInsights(transcript, playbook, durationMs);
  const all = [...voice.items.filter((i) => !['checklist', 'objections', 'questions'].includes(i.id)), ...items];
  const max = all.reduce((s, i) => s + i.maxPoints, 0);
  const score = max > 0 ? Math.round((100 * all.reduce((s, i) => s + i.points, 0)) / max) : 0;
  return { ...voice, score, items: all, language };
}

/**
 * The post-call step: rescored against `playbook` (voice and language), for calls with a transcript.
 * Runs after transcription steps, and alone from `cadence reanalyze`.
 */
export function languageStep(playbook: Playbook): PostCallStep {
  return {
    name: 'language insights',
    async run(library: Library, callId: string) {
      const call = await library.calls.get(callId);
      // Without words the voice score finalize has just stored stands.
      if (!call || !call.transcript.some((s) => s.final)) return;
      const insights = withLanguage(scoreCall(call.report, playbookTargets(playbook)), call.transcript, playbook, call.report.durationMs);
      await library.calls.update(callId, { score: insights.score, insights });
    },
  };
}
