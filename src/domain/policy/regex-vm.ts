// The matcher for compiled regex programs: a Thompson NFA simulation (a Pike VM without
// captures). All threads advance together and each program counter is kept at most once per
// input position, so time is bounded by input length × program size.
import type { CharTest } from './regex-parse.js';

export type Inst =
  | { op: 'char'; test: CharTest }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'start' }
  | { op: 'end' }
  | { op: 'match' };

const CHAR = 0;
const SPLIT = 1;
const JMP = 2;
const START = 3;
const END = 4;
const MATCH = 5;
const OPCODES = { char: CHAR, split: SPLIT, jmp: JMP, start: START, end: END, match: MATCH } as const;

export interface Machine {
  op: Uint8Array;
  x: Int32Array;
  y: Int32Array;
  tests: (CharTest | undefined)[];
}

export function assemble(program: Inst[]): Machine {
  const m: Machine = { op: new Uint8Array(program.length), x: new Int32Array(program.length), y: new Int32Array(program.length), tests: [] };
  program.forEach((inst, pc) => {
    m.op[pc] = OPCODES[inst.op];
    if (inst.op === 'split') [m.x[pc], m.y[pc]] = [inst.x, inst.y];
    if (inst.op === 'jmp') m.x[pc] = inst.x;
    m.tests[pc] = inst.op === 'char' ? inst.test : undefined;
  });
  return m;
}

interface Threads {
  seen: Int32Array;
  stack: Int32Array;
}

/** Follows jumps and assertions from `start`, appending char states to `list`; -1 on reaching match. */
function follow(m: Machine, t: Threads, list: Int32Array, length: number, start: number, pos: number, atEnd: boolean): number {
  const { op, x, y } = m;
  const { seen, stack } = t;
  let top = 0;
  stack[top++] = start;
  while (top > 0) {
    const pc = stack[--top]!;
    if (seen[pc] === pos) continue;
    seen[pc] = pos;
    switch (op[pc]) {
      case CHAR: list[length++] = pc; break;
      case SPLIT: stack[top++] = y[pc]!; stack[top++] = x[pc]!; break;
      case JMP: stack[top++] = x[pc]!; break;
      case START: if (pos === 0) stack[top++] = pc + 1; break;
      case END: if (atEnd) stack[top++] = pc + 1; break;
      default: return -1;
    }
  }
  return length;
}

/** Breadth-first over all threads at once, each program counter at most once per position. */
export function run(m: Machine, input: string): boolean {
  const size = m.op.length;
  const t: Threads = { seen: new Int32Array(size).fill(-1), stack: new Int32Array(size * 2 + 1) };
  let current = new Int32Array(size);
  let next = new Int32Array(size);
  let count = 0;
  for (let pos = 0; ; pos++) {
    // Starting a thread at every position is what makes the search unanchored.
    count = follow(m, t, current, count, 0, pos, pos === input.length);
    if (count < 0) return true;
    if (pos === input.length) return false;
    const code = input.charCodeAt(pos);
    let nextCount = 0;
    for (let i = 0; i < count; i++) {
      const pc = current[i]!;
      if (!m.tests[pc]!(code)) continue;
      nextCount = follow(m, t, next, nextCount, pc + 1, pos + 1, pos + 1 === input.length);
      if (nextCount < 0) return true;
    }
    [current, next, count] = [next, current, nextCount];
  }
}
