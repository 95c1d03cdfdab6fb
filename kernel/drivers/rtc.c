/* PL031 real-time clock (ARM PrimeCell RTC TRM DDI 0224): wall time, read once at boot. */
#include <arch/cpu.h>
#include <board.h>
#include <kernel/memmap.h>
#include <kernel/rtc.h>
#include <stdint.h>

#define RTC_DR      0x000       /* data register: seconds since the epoch QEMU set */
#define RTC_PERIPH0 0xfe0       /* peripheral id 0-1: 0x31 0x10, a PL031 (ARM's part 0x031) */
#define RTC_PCELL0  0xff0       /* PrimeCell id: 0x0d 0xf0 0x05 0xb1 */

static struct rtc_sample rtc_boot;

static uint32_t rtc_reg(uint32_t off)
{
    return *(volatile uint32_t *)(DEV_VADDR(BOARD_RTC_PADDR) + off);
}

void rtc_init(void)
{
    static const uint8_t pcell_id[4] = { 0x0d, 0xf0, 0x05, 0xb1 };
    for (uint32_t i = 0; i < 4; i++)
        if ((rtc_reg(RTC_PCELL0 + 4 * i) & 0xff) != pcell_id[i])
            return;                 /* no PrimeCell here: wall time stays unknown (0) */
    if ((rtc_reg(RTC_PERIPH0) & 0xff) != 0x31 || (rtc_reg(RTC_PERIPH0 + 4) & 0x0f) != 0x0)
        return;                     /* another PrimeCell than a PL031 */
    rtc_boot.seconds = rtc_reg(RTC_DR);
    rtc_boot.count = cpu_cntvct();
}

struct rtc_sample rtc_sample(void)
{
    return rtc_boot;
}
