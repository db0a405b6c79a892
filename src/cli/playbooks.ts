// Playbooks (multi-step procedures) that `explain` prints when the id is not a check.
// The timeline work provides the runbook's playbook; this indirection keeps the CLI
// free of knowledge about where playbooks live.
export interface PlaybookText {
  title: string;
  steps: { text: string; checks: string[] }[];
}

let registered: Record<string, PlaybookText> = {};

export function registerPlaybooks(p: Record<string, PlaybookText>): void {
  registered = { ...registered, ...p };
}

export function PLAYBOOK_TEXTS(): Record<string, PlaybookText> {
  return registered;
}
