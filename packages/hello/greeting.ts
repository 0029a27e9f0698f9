// The greeting hello answers with; a relative import, as package authors write them.

export function greeting(name: string): string {
  return `Hello, ${name}!`;
}
