// CSV (RFC 4180): a field with a comma, quote or line break is quoted, its quotes doubled. A text
// field a spreadsheet would read as a formula (= + - @, tab, CR first) gets a leading apostrophe.
export function csvField(value: unknown, text = true): string {
  let field = value === null || value === undefined ? '' : String(value);
  if (text && /^[=+\-@\t\r]/.test(field)) field = `'${field}`;
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

/** Rows of [value, isText] pairs; lines end in CRLF. */
export function csv(header: string[], rows: Array<Array<[unknown, boolean]>>): string {
  const lines = [header.map((name) => csvField(name)).join(',')];
  for (const row of rows) lines.push(row.map(([value, text]) => csvField(value, text)).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
