// Hover and completion text for what-if parameter names (`l4.ipcShortPathCycles`), built from the
// engine's parameter catalog (engine/api/parameterCatalog.ts): the name, its description, the
// published value with its unit, the range a what-if may set, provenance and source. The catalog is
// handed in, so that the extension can load it on first use.

import type * as Catalog from '../engine/api/parameterCatalog';
import type { ParameterListing } from '../engine/api/parameterCatalog';

/** The provenance tags of engine/base/parameters.ts, spelt out. */
const PROVENANCE: Readonly<Record<string, string>> = {
  R: 'read in the manual or paper',
  R2: 'read from a secondary source',
  C: 'recalled',
  I: 'inferred',
};

/** `text` with the characters Markdown would interpret escaped. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|#]/g, '\\$&');
}

/** The values a what-if may give `row`: its declared range, else any value ≥ 0 (as the catalog checks them). */
function allowedValues(row: ParameterListing): string {
  if (typeof row.defaultValue === 'boolean') return '`true` or `false`';
  const min = row.min ?? 0;
  const unit = escapeMarkdown(row.unit);
  return row.max === undefined ? `≥ ${min} ${unit}` : `${min} … ${row.max} ${unit}`;
}

/** The catalog's parameters, looked up by any name a what-if accepts (the catalog resolves it). */
export class ParameterDocs {
  private readonly byQualifiedName = new Map<string, ParameterListing>();

  constructor(private readonly catalog: typeof Catalog) {
    for (const row of catalog.listParameters()) this.byQualifiedName.set(row.qualifiedName, row);
  }

  /** Every parameter, under the `table.name` a what-if takes. */
  rows(): ParameterListing[] {
    return [...this.byQualifiedName.values()];
  }

  /** The parameter `name` names (`l4.ipcShortPathCycles`, `machine.l2KB` or bare `l2KB`), if any. */
  find(name: string): ParameterListing | undefined {
    const found = this.catalog.lookupParameter(name);
    return 'qualifiedName' in found ? this.byQualifiedName.get(found.qualifiedName) : undefined;
  }

  /** Markdown for parameter `row`: name, description, published value with unit, allowed values, provenance, source. */
  markdown(row: ParameterListing): string {
    const table = this.catalog.PARAMETER_TABLES.find(info => info.prefix === row.table);
    return [
      `**\`${row.qualifiedName}\`** — ${escapeMarkdown(row.description)}`,
      '',
      `- published value: **${String(row.defaultValue)}** ${escapeMarkdown(row.unit)}`,
      `- allowed: ${allowedValues(row)}`,
      `- provenance: ${row.provenance} (${PROVENANCE[row.provenance] ?? 'unknown'})`,
      `- source: ${escapeMarkdown(row.source)}`,
      ...(table ? ['', `Table \`${table.prefix}\`: ${escapeMarkdown(table.title)}, read by ${escapeMarkdown(table.usedBy)} (\`${table.file}\`).`] : []),
    ].join('\n');
  }

  /** Markdown for `name`, which names no parameter: the catalog's own message, with the nearest known name. */
  unknownMarkdown(name: string): string {
    const found = this.catalog.lookupParameter(name);
    const message = 'error' in found ? found.error : `unknown parameter '${name}'`;
    return `**Unknown what-if parameter** \`${name}\`\n\n${escapeMarkdown(message)}\n\n\`l4lab parameters\` lists every name with its unit, range and source.`;
  }
}
