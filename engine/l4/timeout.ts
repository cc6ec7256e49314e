import { BitLayout } from '../base/bitField';

/**
 * The IPC timeout word (ECX): send and receive timeouts t = m·4^(15−e) µs, with e = 0 meaning
 * infinite and m = 0 (e ≠ 0) meaning zero; page-fault timeouts are exponents only,
 * t = 4^(15−p) µs, p = 0 infinite, p = 15 zero. L4ENV@f68bf96 `types.h`, `micros2l4to.c`.
 */
export const TIMEOUT = new BitLayout('timeout', {
  receiveExponent: { shift: 0, width: 4 },
  sendExponent: { shift: 4, width: 4 },
  receivePageFault: { shift: 8, width: 4 },
  sendPageFault: { shift: 12, width: 4 },
  sendMantissa: { shift: 16, width: 8 },
  receiveMantissa: { shift: 24, width: 8 },
});

/** Infinite: the value used for "never time out" by the decoders below. */
export const INFINITE = Number.POSITIVE_INFINITY;

/** A send/receive timeout in µs from its mantissa and exponent (Infinity for e = 0). */
export function timeoutMicroseconds(mantissa: number, exponent: number): number {
  if (exponent === 0) return INFINITE;
  if (mantissa === 0) return 0;
  return mantissa * 4 ** (15 - exponent);
}

/** A page-fault timeout in µs from its exponent. */
export function pageFaultTimeoutMicroseconds(exponent: number): number {
  if (exponent === 0) return INFINITE;
  if (exponent === 15) return 0;
  return 4 ** (15 - exponent);
}

/** Send timeout of a timeout word, µs. */
export function sendTimeout(word: number): number {
  return timeoutMicroseconds((word >>> 16) & 0xff, (word >>> 4) & 0xf);
}

/** Receive timeout of a timeout word, µs. */
export function receiveTimeout(word: number): number {
  return timeoutMicroseconds((word >>> 24) & 0xff, word & 0xf);
}

/** Send page-fault timeout of a timeout word, µs. */
export function sendPageFaultTimeout(word: number): number {
  return pageFaultTimeoutMicroseconds((word >>> 12) & 0xf);
}

/** Receive page-fault timeout of a timeout word, µs. */
export function receivePageFaultTimeout(word: number): number {
  return pageFaultTimeoutMicroseconds((word >>> 8) & 0xf);
}

/**
 * The (mantissa, exponent) pair closest to `microseconds` from above with the largest mantissa
 * (Infinity → e = 0; 0 → m = 0, e = 1), as `micros2l4to` computes it.
 */
export function encodeTimeout(microseconds: number): { mantissa: number; exponent: number } {
  if (microseconds === INFINITE) return { mantissa: 0, exponent: 0 };
  if (microseconds <= 0) return { mantissa: 0, exponent: 1 };
  for (let exponent = 15; exponent >= 1; exponent--) {
    const unit = 4 ** (15 - exponent);
    const mantissa = Math.ceil(microseconds / unit);
    if (mantissa <= 255) return { mantissa, exponent };
  }
  return { mantissa: 255, exponent: 1 };
}

/** A timeout word from send and receive timeouts in µs (page-fault timeouts infinite unless given). */
export function timeoutWord(sendMicroseconds: number, receiveMicroseconds: number, sendPageFault = 0, receivePageFault = 0): number {
  const s = encodeTimeout(sendMicroseconds);
  const r = encodeTimeout(receiveMicroseconds);
  return TIMEOUT.encode({
    sendMantissa: s.mantissa,
    sendExponent: s.exponent,
    receiveMantissa: r.mantissa,
    receiveExponent: r.exponent,
    sendPageFault,
    receivePageFault,
  });
}

/** L4_IPC_NEVER: every timeout infinite. */
export const TIMEOUT_NEVER = 0;
/** Send and receive timeouts zero (polling), page-fault timeouts infinite. */
export const TIMEOUT_POLL = TIMEOUT.encode({ sendExponent: 1, receiveExponent: 1 });
