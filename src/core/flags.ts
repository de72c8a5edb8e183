// Process-wide debug flags, read by the layers that honour them.

export interface Flags {
  /** Record the creation site of every tensor, so leak reports name the line. */
  debugLeaks: boolean;
}

export const flags: Flags = { debugLeaks: false };

export function setFlags(f: Partial<Flags>): void {
  Object.assign(flags, f);
}
