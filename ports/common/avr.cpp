// AVR console (USART, read by simavr), exit, and cycle counting.
//
// avr-libc's crt does the start-up. simavr prints UART lines and always exits
// 0, so ctml_exit prints `EXIT <code>` for ports/common/simavr-run and stops
// the core with interrupts off and `sleep`, which makes simavr quit.
// Cycles: Timer1 at clk/1 plus an overflow counter, exact under simavr.
#include <avr/io.h>

#include <cstdint>

#include "ctml_measure.hpp"

// USART0 on the ATmega328P, USART1 on the ATmega32u4 (no USART0 there).
#if defined(UDR0)
#define CTML_UDR UDR0
#define CTML_UCSRA UCSR0A
#define CTML_UCSRB UCSR0B
#define CTML_UBRR UBRR0
#define CTML_UDRE UDRE0
#define CTML_U2X U2X0
#define CTML_TXEN TXEN0
#else
#define CTML_UDR UDR1
#define CTML_UCSRA UCSR1A
#define CTML_UCSRB UCSR1B
#define CTML_UBRR UBRR1
#define CTML_UDRE UDRE1
#define CTML_U2X U2X1
#define CTML_TXEN TXEN1
#endif

namespace {

void put(char c) noexcept {
  while (!(CTML_UCSRA & _BV(CTML_UDRE))) {
  }
  CTML_UDR = static_cast<std::uint8_t>(c);
}

}  // namespace

extern "C" void ctml_print(const char* text) noexcept {
  if (!(CTML_UCSRB & _BV(CTML_TXEN))) {
    CTML_UBRR = 0;  // 2 Mbaud at 16 MHz: the fastest, simavr does not care
    CTML_UCSRA = _BV(CTML_U2X);
    CTML_UCSRB = _BV(CTML_TXEN);
  }
  for (; *text != '\0'; ++text) put(*text);
}

extern "C" [[noreturn]] void ctml_exit(int code) noexcept {
  ctml_print("EXIT ");
  ctml_print_u32(static_cast<std::uint32_t>(code));
  ctml_print("\n");
  while (!(CTML_UCSRA & _BV(CTML_UDRE))) {
  }
  SMCR = _BV(SE);  // not sleep_enable(): its volatile |= is deprecated in C++20
  for (;;) __asm__ volatile("cli\n\tsleep" ::: "memory");
}

// avr-libc's crt calls exit(main()): route it through ctml_exit.
extern "C" [[noreturn]] void exit(int code) noexcept { ctml_exit(code); }

// Timer1 overflows, counted by the handler below.
extern "C" volatile std::uint16_t ctml_timer1_overflows;
volatile std::uint16_t ctml_timer1_overflows = 0;

// avr-libc's ISR() macro uses an attribute clang lacks, and a compiled handler's
// cost would change with the compiler; this one is a fixed sequence whose
// cycles (response, vector jmp, body, reti) ctml_measure_end subtracts.
#define CTML_STR(x) CTML_STR2(x)
#define CTML_STR2(x) #x
__asm__(".pushsection .text." CTML_STR(TIMER1_OVF_vect) ",\"ax\",@progbits\n"
        ".global " CTML_STR(TIMER1_OVF_vect) "\n"
        CTML_STR(TIMER1_OVF_vect) ":\n"
        "  push r24\n"
        "  in r24, 0x3f\n"  // SREG
        "  push r24\n"
        "  lds r24, ctml_timer1_overflows\n"
        "  subi r24, 0xff\n"  // +1 as -(-1): the carry feeds the high byte
        "  sts ctml_timer1_overflows, r24\n"
        "  lds r24, ctml_timer1_overflows+1\n"
        "  sbci r24, 0xff\n"
        "  sts ctml_timer1_overflows+1, r24\n"
        "  pop r24\n"
        "  out 0x3f, r24\n"
        "  pop r24\n"
        "  reti\n"
        ".popsection\n");

namespace {

// The wrap test in tests/target/measure.cpp checks this number.
constexpr std::uint32_t overflow_interrupt_cycles = 27;  // as simavr counts them

struct stamp {
  std::uint32_t cycles;
  std::uint16_t handled;  // overflow interrupts run so far
};

stamp start;
std::uint32_t overhead = 0;
bool calibrated = false;

inline stamp now() noexcept {
  const std::uint8_t sreg = SREG;
  __asm__ volatile("cli" ::: "memory");
  const std::uint16_t ticks = TCNT1;
  const std::uint16_t handled = ctml_timer1_overflows;
  std::uint16_t overflows = handled;
  // An overflow that is pending but not yet handled belongs to this reading.
  if ((TIFR1 & _BV(TOV1)) && ticks < 0x8000) ++overflows;
  SREG = sreg;
  return {(std::uint32_t{overflows} << 16) | ticks, handled};
}

}  // namespace

extern "C" [[gnu::noinline]] void ctml_measure_begin() noexcept {
  if (!calibrated) {
    calibrated = true;
    TCCR1A = 0;
    TCCR1B = _BV(CS10);  // clk/1
    TIMSK1 = _BV(TOIE1);
    __asm__ volatile("sei" ::: "memory");
    ctml_measure_begin();
    overhead = ctml_measure_end();
  }
  start = now();
}

extern "C" [[gnu::noinline]] std::uint32_t ctml_measure_end() noexcept {
  const stamp end = now();
  // Handlers that ran inside the region (one pending at a reading runs after
  // it, so counting handled ones puts each on the right side).
  const auto handled = static_cast<std::uint16_t>(end.handled - start.handled);
  return end.cycles - start.cycles - handled * overflow_interrupt_cycles - overhead;
}

extern "C" std::uint32_t ctml_measure_overhead() noexcept { return overhead; }
