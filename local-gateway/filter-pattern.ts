/**
 * CloudWatch Logs JSON filter patterns, the subset the stack's subscription filters use, so the
 * local runner delivers to a subscribed function exactly the records the deployed filter would pass
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html and
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html):
 *
 *   ""                 every event
 *   { <expression> }   expression := condition | (expression) | expression && expression | expression || expression
 *   condition          := $.field.sub = "string" | $.field.sub != "string"
 *
 * where `*` in the string matches any run of characters (`"arn:...:assumed-role/role/*"`). A
 * condition on a field the event does not have, or whose value is not a string, does not match.
 * Anything else (numbers and `<`, `>`; `IS NULL`, `EXISTS`, `TRUE`/`FALSE`; array selectors;
 * unquoted values; `%regex%`; space-delimited and plain term patterns) is refused with
 * `FilterPatternError` naming it: an unimplemented pattern fails loudly, never passes silently.
 */

export class FilterPatternError extends Error {
  constructor(pattern: string, reason: string) {
    super(`filter pattern ${JSON.stringify(pattern)}: ${reason} (the local gateway implements JSON patterns of $.field = / != "string" conditions joined by && and ||)`);
    this.name = 'FilterPatternError';
  }
}

type Node =
  | { readonly kind: 'and' | 'or'; readonly left: Node; readonly right: Node }
  | { readonly kind: 'compare'; readonly path: readonly string[]; readonly op: '=' | '!='; readonly value: string };

type Token = { readonly type: 'lparen' | 'rparen' | 'and' | 'or' | 'eq' | 'ne' } | { readonly type: 'field'; readonly path: readonly string[] } | { readonly type: 'string'; readonly value: string };

function tokenize(pattern: string, body: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < body.length) {
    const c = body[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ type: c === '(' ? 'lparen' : 'rparen' });
      i++;
    } else if (body.startsWith('&&', i) || body.startsWith('||', i)) {
      tokens.push({ type: body.startsWith('&&', i) ? 'and' : 'or' });
      i += 2;
    } else if (body.startsWith('!=', i)) {
      tokens.push({ type: 'ne' });
      i += 2;
    } else if (c === '=') {
      tokens.push({ type: 'eq' });
      i++;
    } else if (c === '$') {
      const field = /^\$((?:\.[A-Za-z_][A-Za-z0-9_-]*)+)/.exec(body.slice(i));
      if (!field) throw new FilterPatternError(pattern, `unsupported field selector at ${JSON.stringify(body.slice(i, i + 20))}`);
      if (body[i + field[0].length] === '[') throw new FilterPatternError(pattern, `array selectors are not implemented (${JSON.stringify(body.slice(i, body.indexOf(']', i) + 1 || undefined))})`);
      tokens.push({ type: 'field', path: field[1].slice(1).split('.') });
      i += field[0].length;
    } else if (c === '"') {
      let value = '';
      let j = i + 1;
      for (; j < body.length && body[j] !== '"'; j++) {
        if (body[j] === '\\') {
          j++;
          if (j >= body.length) break;
        }
        value += body[j];
      }
      if (j >= body.length) throw new FilterPatternError(pattern, 'unterminated string');
      tokens.push({ type: 'string', value });
      i = j + 1;
    } else {
      const word = /^[^\s()"]+/.exec(body.slice(i))?.[0] ?? c;
      throw new FilterPatternError(pattern, `${JSON.stringify(word)} is not implemented`);
    }
  }
  return tokens;
}

function parse(pattern: string): Node {
  const trimmed = pattern.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) throw new FilterPatternError(pattern, 'only JSON patterns ({ ... }) are implemented');
  const tokens = tokenize(pattern, trimmed.slice(1, -1));
  let at = 0;
  const peek = () => tokens[at];
  const expect = (type: Token['type']) => {
    const token = tokens[at++];
    if (token?.type !== type) throw new FilterPatternError(pattern, `expected ${type}, found ${token ? token.type : 'the end'}`);
    return token;
  };
  const primary = (): Node => {
    if (peek()?.type === 'lparen') {
      at++;
      const inner = or();
      expect('rparen');
      return inner;
    }
    const field = expect('field') as Extract<Token, { type: 'field' }>;
    const opToken = tokens[at++];
    if (opToken?.type !== 'eq' && opToken?.type !== 'ne') throw new FilterPatternError(pattern, `only = and != are implemented after $.${field.path.join('.')}`);
    const value = expect('string') as Extract<Token, { type: 'string' }>;
    return { kind: 'compare', path: field.path, op: opToken.type === 'eq' ? '=' : '!=', value: value.value };
  };
  const and = (): Node => {
    let left = primary();
    while (peek()?.type === 'and') {
      at++;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (peek()?.type === 'or') {
      at++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  if (tokens.length === 0) throw new FilterPatternError(pattern, 'empty JSON pattern');
  const tree = or();
  if (at !== tokens.length) throw new FilterPatternError(pattern, `unexpected ${tokens[at].type}`);
  return tree;
}

/** `*` matches any run of characters; everything else literally. */
function wildcard(value: string): RegExp {
  return new RegExp(`^${value.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
}

function evaluate(node: Node, event: unknown): boolean {
  if (node.kind !== 'compare') return node.kind === 'and' ? evaluate(node.left, event) && evaluate(node.right, event) : evaluate(node.left, event) || evaluate(node.right, event);
  let value: unknown = event;
  for (const key of node.path) value = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
  if (typeof value !== 'string') return false;
  const matches = wildcard(node.value).test(value);
  return node.op === '=' ? matches : !matches;
}

/**
 * A matcher for `pattern` (parsed once; unimplemented syntax throws here, when serving starts):
 * true when CloudWatch Logs would pass the log event `message` to the subscription's destination.
 * A message that is not a JSON object never matches a JSON pattern.
 */
export function compileFilterPattern(pattern: string): (message: string) => boolean {
  // An empty pattern matches every log event.
  if (pattern.trim() === '') return () => true;
  const tree = parse(pattern);
  return (message) => {
    let event: unknown;
    try {
      event = JSON.parse(message);
    } catch {
      return false;
    }
    return event !== null && typeof event === 'object' && !Array.isArray(event) && evaluate(tree, event);
  };
}
