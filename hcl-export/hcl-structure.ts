/**
 * The shape of an HCL file: which names are attributes (`name = ...`) and which are blocks
 * (`name "label" { ... }`), nested. Expressions are skipped, not evaluated: strings (with their
 * `${...}` / `%{...}` sequences), heredocs, brackets and comments are stepped over. Values are
 * compared by the HashiCorp parser in round-trip.ts; this only recovers the one thing that parser's
 * JSON output loses, the syntax a name was written in.
 */

export interface HclItem {
  readonly name: string;
  readonly kind: 'attribute' | 'block';
  /** A block's labels (`resource "aws_x" "y"` has `["aws_x", "y"]`). */
  readonly labels: readonly string[];
  /** 1-based line where the name starts. */
  readonly line: number;
  /** A block's body. */
  readonly body?: readonly HclItem[];
}

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_-]*/y;
const HEREDOC = /<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/y;

/** @throws Error with the line when the text is not a body of attributes and blocks. */
export function hclStructure(text: string): HclItem[] {
  return new Scanner(text).body(false);
}

class Scanner {
  private pos = 0;
  /** Offset where each line starts. */
  private readonly lineStarts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  private line(at = this.pos): number {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.lineStarts[mid] <= at) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }

  private fail(what: string): never {
    throw new Error(`line ${this.line()}: ${what}`);
  }

  body(closedByBrace: boolean): HclItem[] {
    const items: HclItem[] = [];
    for (;;) {
      this.skipTrivia(true);
      if (this.pos >= this.text.length) {
        if (closedByBrace) this.fail('a block is not closed');
        return items;
      }
      if (this.text[this.pos] === '}') {
        if (!closedByBrace) this.fail('unexpected }');
        this.pos++;
        return items;
      }
      const start = this.pos;
      const name = this.identifier();
      if (name === undefined) this.fail(`expected an attribute or block name, found ${JSON.stringify(this.text.slice(this.pos, this.pos + 20))}`);
      this.skipTrivia(false);
      if (this.text[this.pos] === '=' && this.text[this.pos + 1] !== '=') {
        this.pos++;
        this.skipExpression();
        items.push({ name, kind: 'attribute', labels: [], line: this.line(start) });
        continue;
      }
      const labels: string[] = [];
      while (this.text[this.pos] !== '{') {
        if (this.text[this.pos] === '"') {
          const from = this.pos + 1;
          this.skipQuoted();
          labels.push(JSON.parse(`"${this.text.slice(from, this.pos - 1)}"`) as string);
        } else {
          const label = this.identifier();
          if (label === undefined) this.fail(`expected = or a block after ${name}`);
          labels.push(label);
        }
        this.skipTrivia(false);
      }
      this.pos++;
      const line = this.line(start);
      items.push({ name, kind: 'block', labels, line, body: this.body(true) });
    }
  }

  private identifier(): string | undefined {
    IDENTIFIER.lastIndex = this.pos;
    const match = IDENTIFIER.exec(this.text);
    if (!match) return undefined;
    this.pos += match[0].length;
    return match[0];
  }

  /** Spaces and comments; newlines too when `newlines`. */
  private skipTrivia(newlines: boolean): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c === ' ' || c === '\t' || c === '\r' || (newlines && c === '\n')) this.pos++;
      else if (c === '#' || (c === '/' && this.text[this.pos + 1] === '/')) this.skipLineComment();
      else if (c === '/' && this.text[this.pos + 1] === '*') this.skipBlockComment();
      else return;
    }
  }

  private skipLineComment(): void {
    const end = this.text.indexOf('\n', this.pos);
    this.pos = end < 0 ? this.text.length : end;
  }

  private skipBlockComment(): void {
    const end = this.text.indexOf('*/', this.pos + 2);
    if (end < 0) this.fail('unterminated comment');
    this.pos = end + 2;
  }

  /** Up to the newline (or closing brace of the enclosing block) that ends an attribute's expression. */
  private skipExpression(): void {
    let depth = 0;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === '\n' && depth === 0) return;
      if (c === '"') this.skipQuoted();
      else if (c === '<' && this.text[this.pos + 1] === '<' && this.skipHeredoc()) continue;
      else if (c === '#' || (c === '/' && this.text[this.pos + 1] === '/')) this.skipLineComment();
      else if (c === '/' && this.text[this.pos + 1] === '*') this.skipBlockComment();
      else if (c === '(' || c === '[' || c === '{') {
        depth++;
        this.pos++;
      } else if (c === ')' || c === ']' || c === '}') {
        if (depth === 0) return;
        depth--;
        this.pos++;
      } else this.pos++;
    }
  }

  /** From an opening quote to after its closing one, stepping over template sequences. */
  private skipQuoted(): void {
    const start = this.pos;
    this.pos++;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      const next = this.text[this.pos + 1];
      if (c === '\\') this.pos += 2;
      else if (c === '"') {
        this.pos++;
        return;
      } else if ((c === '$' || c === '%') && next === c && this.text[this.pos + 2] === '{') this.pos += 3;
      else if ((c === '$' || c === '%') && next === '{') {
        this.pos += 2;
        this.skipSequence();
      } else this.pos++;
    }
    this.pos = start;
    this.fail('unterminated string');
  }

  /** From inside `${` / `%{` to after the matching `}`. */
  private skipSequence(): void {
    let depth = 0;
    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === '"') this.skipQuoted();
      else if (c === '<' && this.text[this.pos + 1] === '<' && this.skipHeredoc()) continue;
      else if (c === '{' || c === '(' || c === '[') {
        depth++;
        this.pos++;
      } else if (c === ')' || c === ']') {
        depth--;
        this.pos++;
      } else if (c === '}') {
        this.pos++;
        if (depth === 0) return;
        depth--;
      } else this.pos++;
    }
    this.fail('unterminated template sequence');
  }

  /** A heredoc from `<<` to the end of its closing marker's line; false when `<<` does not open one. */
  private skipHeredoc(): boolean {
    HEREDOC.lastIndex = this.pos;
    const match = HEREDOC.exec(this.text);
    if (!match) return false;
    let at = this.pos + match[0].length;
    for (;;) {
      const end = this.text.indexOf('\n', at);
      const lineText = this.text.slice(at, end < 0 ? this.text.length : end);
      if (lineText.trim() === match[1]) {
        this.pos = at + lineText.length;
        return true;
      }
      if (end < 0) this.fail(`heredoc ${match[1]} is not closed`);
      at = end + 1;
    }
  }
}
