import { describe, expect, it } from 'vitest';
import { parseDateOption, parseIntOption } from '../../src/cli/library-options';

describe('CLI option parsing', () => {
  it('reads dates as local days (an upper bound covers the whole day) or ISO date-times', () => {
    expect(parseDateOption('from', '2026-03-01')).toBe(new Date(2026, 2, 1).getTime());
    expect(parseDateOption('to', '2026-03-01', true)).toBe(new Date(2026, 2, 2).getTime());
    expect(parseDateOption('to', '2026-12-31', true)).toBe(new Date(2027, 0, 1).getTime());
    expect(parseDateOption('from', '2026-03-01T10:00:00Z')).toBe(Date.UTC(2026, 2, 1, 10));
    expect(() => parseDateOption('from', '2026-02-30')).toThrow(/^--from: not a date: 2026-02-30/);
    expect(() => parseDateOption('to', 'last week')).toThrow(/^--to: not a date/);
  });

  it('bounds whole numbers', () => {
    expect(parseIntOption('limit', undefined, 1, 10)).toBeUndefined();
    expect(parseIntOption('limit', '5', 1, 10)).toBe(5);
    expect(() => parseIntOption('limit', '0', 1, 10)).toThrow(/^--limit: expected a whole number from 1 to 10, got 0$/);
    expect(() => parseIntOption('limit', '2.5', 1, 10)).toThrow(/whole number/);
  });
});
