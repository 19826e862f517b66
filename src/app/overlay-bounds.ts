/**
 * Where the overlay sits: remembered per display (by display id), restored only when it still fits on
 * that display, else placed at the display's top-right corner. Pure, so it is tested under Node.
 */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface DisplayInfo {
  readonly id: number;
  readonly workArea: Rect;
}

export type SavedBounds = Readonly<Record<string, Rect>>;

export const OVERLAY_SIZE = { width: 380, height: 560 } as const;
const MARGIN = 16;

function fits(r: Rect, area: Rect): boolean {
  return r.width >= 200 && r.height >= 120 && r.x >= area.x && r.y >= area.y && r.x + r.width <= area.x + area.width && r.y + r.height <= area.y + area.height;
}

export function overlayBoundsFor(display: DisplayInfo, saved: SavedBounds): Rect {
  const mine = saved[String(display.id)];
  if (mine && fits(mine, display.workArea)) return mine;
  const a = display.workArea;
  const width = Math.min(OVERLAY_SIZE.width, a.width);
  const height = Math.min(OVERLAY_SIZE.height, a.height);
  return { x: a.x + a.width - width - MARGIN, y: a.y + MARGIN, width, height };
}

export function rememberBounds(saved: SavedBounds, displayId: number, bounds: Rect): SavedBounds {
  return { ...saved, [String(displayId)]: { x: Math.round(bounds.x), y: Math.round(bounds.y), width: Math.round(bounds.width), height: Math.round(bounds.height) } };
}
