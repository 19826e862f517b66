/**
 * Masks numbers a transcript must not keep: card, account, social security and phone numbers. Any run
 * of 6 or more digits (spaces, dashes and dots between them allowed) keeps only its last 2 digits.
 */
const DIGIT_RUN = /\d(?:[ .-]?\d){5,}/g;

export function redactNumbers(text: string): string {
  return text.replace(DIGIT_RUN, (run) => {
    const digits = run.replace(/\D/g, '');
    return `${'•'.repeat(Math.max(0, digits.length - 2))}${digits.slice(-2)}`;
  });
}
