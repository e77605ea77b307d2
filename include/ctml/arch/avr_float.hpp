// The float dot product on AVR, in assembly: what
//
//   float acc = 0.0f;
//   for (j = 0; j < n; ++j) acc += w[j] * x[j];
//
// computes with avr-libc's __mulsf3 and __addsf3, bit for bit, in about half
// the cycles (gesture network G: 599k -> 328k cycles a prediction). Each
// product and each sum is rounded to float (IEEE round to nearest, ties to
// even), as in the loop;
// the time goes elsewhere: the sum stays unpacked between steps (24-bit
// mantissa, exponent, sign), the 24x24-bit product is nine 8x8 `mul`s, and
// there are no calls, no packing and no special-case dispatch per step.
//
// Cases the fast path does not handle return the NaN pattern 0xffffffff and
// the caller runs the plain loop instead: an infinite, NaN or subnormal w or
// x (zeros are handled), or a product or sum that overflows or leaves the
// normal range. A dot product of finite inputs never yields that pattern.
#pragma once

#include <cstdint>

// Included by arch/avr.hpp only.
namespace ctml::arch {

/// The float bits of sum w[j] * x[j] in loop order (see above), w in flash,
/// x in RAM, n >= 0; 0xffffffff where the plain loop must run instead.
/// Arguments in registers only (w r24, x r22, n r20), result in r25..r22.
///
/// Registers: acc mantissa r4:r3:r2, exponent r5 (0: acc is +0), sign r6.7;
/// r7 = 0; w mantissa r10:r9:r8, x mantissa r13:r12:r11; product r19..r14
/// (mantissa r19:r18:r17 once rounded), exponent r23:r22, sign r24.7;
/// Y counts down the products left.
extern "C" [[gnu::naked, gnu::noinline]] inline std::uint32_t ctml_avr_dot_f32(const float*, const float*,
                                                                              std::uint16_t) noexcept {
  __asm__ volatile(
      "push r2\n\t" "push r3\n\t" "push r4\n\t" "push r5\n\t" "push r6\n\t" "push r7\n\t"
      "push r8\n\t" "push r9\n\t" "push r10\n\t" "push r11\n\t" "push r12\n\t" "push r13\n\t"
      "push r14\n\t" "push r15\n\t" "push r16\n\t" "push r17\n\t" "push r28\n\t" "push r29\n\t"
      "movw r30, r24\n\t"  // Z = w
      "movw r26, r22\n\t"  // X = x
      "movw r28, r20\n\t"  // Y = n
      "clr r7\n\t"
      "clr r2\n\t" "clr r3\n\t" "clr r4\n\t" "clr r5\n\t" "clr r6\n\t"  // acc = +0
      "adiw r28, 0\n\t"
      "brne .Lctml_fdot_term\n\t"
      "rjmp .Lctml_fdot_done\n\t"

      // (here, within reach of the branches at the start of a term)
      ".Lctml_fdot_wsmall:\n\t"  // w = +-0 gives a zero product unless w is subnormal
      "mov r25, r8\n\t" "or r25, r9\n\t" "or r25, r10\n\t"
      "brne .Lctml_fdot_bail0\n\t"
      "rjmp .Lctml_fdot_next\n\t"
      ".Lctml_fdot_xsmall:\n\t"
      "mov r25, r11\n\t" "or r25, r12\n\t" "or r25, r13\n\t"
      "brne .Lctml_fdot_bail0\n\t"
      // acc + (+-0) is acc: acc is never -0 here (it starts at +0 and an exact
      // cancellation gives +0), so zero products are skipped
      "rjmp .Lctml_fdot_next\n\t"
      ".Lctml_fdot_bail0:\n\t"
      "rjmp .Lctml_fdot_bail\n\t"

      ".Lctml_fdot_term:\n\t"
      "lpm r8, Z+\n\t" "lpm r9, Z+\n\t" "lpm r10, Z+\n\t" "lpm r20, Z+\n\t"
      "ld r11, X+\n\t" "ld r12, X+\n\t" "ld r13, X+\n\t" "ld r21, X+\n\t"
      "mov r24, r20\n\t" "eor r24, r21\n\t"               // product sign in bit 7
      "mov r25, r10\n\t" "lsl r25\n\t" "rol r20\n\t"      // r20 = w's biased exponent
      "mov r25, r13\n\t" "lsl r25\n\t" "rol r21\n\t"      // r21 = x's
      "cpi r20, 0xff\n\t" "breq .Lctml_fdot_bail0\n\t"    // inf, NaN
      "cpi r21, 0xff\n\t" "breq .Lctml_fdot_bail0\n\t"
      "tst r20\n\t" "breq .Lctml_fdot_wsmall\n\t"
      "tst r21\n\t" "breq .Lctml_fdot_xsmall\n\t"
      "set\n\t" "bld r10, 7\n\t" "bld r13, 7\n\t"          // the implicit ones

      // r19..r14 = r10:r9:r8 * r13:r12:r11 (partial sums never exceed the product)
      "mul r8, r11\n\t" "movw r14, r0\n\t"
      "mul r9, r12\n\t" "movw r16, r0\n\t"
      "mul r10, r13\n\t" "movw r18, r0\n\t"
      "mul r8, r12\n\t" "add r15, r0\n\t" "adc r16, r1\n\t" "adc r17, r7\n\t" "adc r18, r7\n\t" "adc r19, r7\n\t"
      "mul r9, r11\n\t" "add r15, r0\n\t" "adc r16, r1\n\t" "adc r17, r7\n\t" "adc r18, r7\n\t" "adc r19, r7\n\t"
      "mul r8, r13\n\t" "add r16, r0\n\t" "adc r17, r1\n\t" "adc r18, r7\n\t" "adc r19, r7\n\t"
      "mul r10, r11\n\t" "add r16, r0\n\t" "adc r17, r1\n\t" "adc r18, r7\n\t" "adc r19, r7\n\t"
      "mul r9, r13\n\t" "add r17, r0\n\t" "adc r18, r1\n\t" "adc r19, r7\n\t"
      "mul r10, r12\n\t" "add r17, r0\n\t" "adc r18, r1\n\t" "adc r19, r7\n\t"

      // exponent r23:r22 = ew + ex - 127, + 1 when the product is in [2^47, 2^48)
      "mov r22, r20\n\t" "clr r23\n\t" "add r22, r21\n\t" "adc r23, r7\n\t" "subi r22, 127\n\t" "sbci r23, 0\n\t"
      "sbrc r19, 7\n\t"
      "rjmp 1f\n\t"
      "lsl r14\n\t" "rol r15\n\t" "rol r16\n\t" "rol r17\n\t" "rol r18\n\t" "rol r19\n\t"
      "rjmp 2f\n\t"
      "1:\n\t"
      "subi r22, 0xff\n\t" "sbci r23, 0xff\n\t"
      "2:\n\t"
      // round the product to 24 bits: round bit r16.7, sticky r16.6..0, r15, r14
      "sbrs r16, 7\n\t"
      "rjmp 4f\n\t"
      "andi r16, 0x7f\n\t" "or r16, r14\n\t" "or r16, r15\n\t"
      "brne 3f\n\t"
      "sbrs r17, 0\n\t"  // a tie: to even
      "rjmp 4f\n\t"
      "3:\n\t"
      "subi r17, 0xff\n\t" "sbci r18, 0xff\n\t" "sbci r19, 0xff\n\t"
      "brne 4f\n\t"
      "ldi r19, 0x80\n\t"  // carried out: 2^24 = 0x800000 * 2
      "subi r22, 0xff\n\t" "sbci r23, 0xff\n\t"
      "4:\n\t"
      "tst r23\n\t" "brne 15f\n\t"  // below 1 or above 254: not a normal float
      "tst r22\n\t" "breq 15f\n\t"
      "cpi r22, 0xff\n\t" "brne 16f\n\t"
      "15:\n\t"
      "rjmp .Lctml_fdot_bail\n\t"
      "16:\n\t"

      // acc += product
      "tst r5\n\t"
      "brne 5f\n\t"
      "mov r2, r17\n\t" "mov r3, r18\n\t" "mov r4, r19\n\t" "mov r5, r22\n\t" "mov r6, r24\n\t"
      "rjmp .Lctml_fdot_next\n\t"
      "5:\n\t"
      // the larger magnitude in acc: (exponent, mantissa) compare as one integer
      "cp r2, r17\n\t" "cpc r3, r18\n\t" "cpc r4, r19\n\t" "cpc r5, r22\n\t"
      "brsh 6f\n\t"
      "mov r25, r2\n\t" "mov r2, r17\n\t" "mov r17, r25\n\t"
      "mov r25, r3\n\t" "mov r3, r18\n\t" "mov r18, r25\n\t"
      "mov r25, r4\n\t" "mov r4, r19\n\t" "mov r19, r25\n\t"
      "mov r25, r5\n\t" "mov r5, r22\n\t" "mov r22, r25\n\t"
      "mov r25, r6\n\t" "mov r6, r24\n\t" "mov r24, r25\n\t"
      "6:\n\t"
      // the smaller, r19:r18:r17:r16 with a guard byte, shifted right by d;
      // bits shifted out gather in r20 | r21 and end as r16's bit 0 (sticky).
      // From d = 26 on it is under a quarter of acc's last place (under half
      // the place below when acc is a power of two): rounding gives acc back.
      "mov r25, r5\n\t" "sub r25, r22\n\t"
      "cpi r25, 26\n\t"
      "brlo 1f\n\t"
      "rjmp .Lctml_fdot_next\n\t"
      "1:\n\t"
      "clr r16\n\t" "clr r20\n\t" "clr r21\n\t"
      "7:\n\t"
      "cpi r25, 8\n\t"
      "brlo 8f\n\t"
      "or r20, r16\n\t" "mov r16, r17\n\t" "mov r17, r18\n\t" "mov r18, r19\n\t" "clr r19\n\t"
      "subi r25, 8\n\t"
      "rjmp 7b\n\t"
      "8:\n\t"
      "tst r25\n\t"
      "breq 9f\n\t"
      "lsr r19\n\t" "ror r18\n\t" "ror r17\n\t" "ror r16\n\t" "adc r21, r7\n\t"
      "dec r25\n\t"
      "rjmp 8b\n\t"
      "9:\n\t"
      "or r20, r21\n\t"
      "breq 10f\n\t"
      "ori r16, 1\n\t"
      "10:\n\t"
      "mov r25, r6\n\t" "eor r25, r24\n\t"
      "brmi 11f\n\t"
      // same signs: add; a carry out shifts right (the lost bit stays sticky)
      "add r2, r17\n\t" "adc r3, r18\n\t" "adc r4, r19\n\t"
      "brcc 13f\n\t"
      "ror r4\n\t" "ror r3\n\t" "ror r2\n\t" "ror r16\n\t"
      "brcc 1f\n\t"
      "ori r16, 1\n\t"
      "1:\n\t"
      "inc r5\n\t"
      "mov r25, r5\n\t" "cpi r25, 0xff\n\t"
      "brne 13f\n\t"
      "rjmp .Lctml_fdot_bail\n\t"
      "11:\n\t"
      // different signs: subtract (acc's magnitude is the larger: no borrow out)
      "neg r16\n\t" "sbc r2, r17\n\t" "sbc r3, r18\n\t" "sbc r4, r19\n\t"
      "mov r25, r2\n\t" "or r25, r3\n\t" "or r25, r4\n\t" "or r25, r16\n\t"
      "brne 12f\n\t"
      "clr r5\n\t" "clr r6\n\t"  // exact cancellation: +0
      "rjmp .Lctml_fdot_next\n\t"
      "12:\n\t"
      "sbrc r4, 7\n\t"
      "rjmp 13f\n\t"
      "lsl r16\n\t" "rol r2\n\t" "rol r3\n\t" "rol r4\n\t"
      "dec r5\n\t"
      "brne 12b\n\t"
      "rjmp .Lctml_fdot_bail\n\t"  // a subnormal sum
      "13:\n\t"
      // round the sum to 24 bits: round bit r16.7, sticky r16.6..0
      "sbrs r16, 7\n\t"
      "rjmp 14f\n\t"
      "andi r16, 0x7f\n\t"
      "brne 1f\n\t"
      "sbrs r2, 0\n\t"  // a tie: to even
      "rjmp 14f\n\t"
      "1:\n\t"
      "sec\n\t" "adc r2, r7\n\t" "adc r3, r7\n\t" "adc r4, r7\n\t"
      "brcc 14f\n\t"
      "sec\n\t" "ror r4\n\t"  // carried out: 0x800000, exponent + 1
      "inc r5\n\t"
      "14:\n\t"
      "mov r25, r5\n\t" "cpi r25, 0xff\n\t"
      "breq .Lctml_fdot_bail\n\t"
      "rjmp .Lctml_fdot_next\n\t"

      ".Lctml_fdot_next:\n\t"
      "sbiw r28, 1\n\t"
      "breq .Lctml_fdot_done\n\t"
      "rjmp .Lctml_fdot_term\n\t"

      ".Lctml_fdot_done:\n\t"  // pack: sign, exponent, mantissa without its leading one
      "mov r22, r2\n\t" "mov r23, r3\n\t"
      "mov r24, r4\n\t" "andi r24, 0x7f\n\t"
      "mov r25, r5\n\t" "lsr r25\n\t"
      "brcc 1f\n\t"
      "ori r24, 0x80\n\t"
      "1:\n\t"
      "sbrc r6, 7\n\t"
      "ori r25, 0x80\n\t"
      "rjmp .Lctml_fdot_ret\n\t"
      ".Lctml_fdot_bail:\n\t"
      "ldi r22, 0xff\n\t" "ldi r23, 0xff\n\t" "ldi r24, 0xff\n\t" "ldi r25, 0xff\n\t"
      ".Lctml_fdot_ret:\n\t"
      "clr r1\n\t"
      "pop r29\n\t" "pop r28\n\t" "pop r17\n\t" "pop r16\n\t" "pop r15\n\t" "pop r14\n\t"
      "pop r13\n\t" "pop r12\n\t" "pop r11\n\t" "pop r10\n\t" "pop r9\n\t" "pop r8\n\t"
      "pop r7\n\t" "pop r6\n\t" "pop r5\n\t" "pop r4\n\t" "pop r3\n\t" "pop r2\n\t"
      "ret\n\t");
}

}  // namespace ctml::arch
