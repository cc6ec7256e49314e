// Helpers shared by the declaration generators (genDts.mjs for custom servers, genLabCellDts.mjs
// for notebook cells), which read the engine's sources with the TypeScript compiler API.
import fs from 'node:fs';
import ts from 'typescript';

/** A class member (or constructor parameter property) a user may call: not private, protected or static, and named. @param {ts.ClassElement | ts.ParameterDeclaration} member */
export function isPublicMember(member) {
  const flags = ts.getCombinedModifierFlags(member);
  return (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected | ts.ModifierFlags.Static)) === 0 && member.name !== undefined && !ts.isPrivateIdentifier(member.name);
}

/** Whether an output is missing or older than one of the inputs it is made from. @param {string[]} inputs @param {string[]} outputs */
export function isStale(inputs, outputs) {
  const oldest = Math.min(...outputs.map(file => (fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0)));
  return inputs.some(file => fs.statSync(file).mtimeMs > oldest);
}
