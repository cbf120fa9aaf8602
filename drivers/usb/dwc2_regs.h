/*
 * dwc2_regs.h - the register map of the Synopsys DWC2 OTG core in host mode: offsets from the core's base and
 * their fields, for the driver (drivers/usb/dwc2.c) and for the register-level model its host tests run against
 * (tests/unit/fakes/fake_dwc2.c), so that both read the core through one map.
 *
 * Only the registers and fields the driver uses or the model answers. Offsets, bit positions and names are the
 * Synopsys DWC OTG databook's register map as the Linux driver spells it (drivers/usb/dwc2/hw.h, with the DWC2_
 * prefix); QEMU's model (include/hw/usb/dwc2-regs.h) has the same layout. A field is a *_MASK in place with its
 * *_LSB; single bits are named. Nothing here touches the hardware: no context rules.
 */
#ifndef DRIVERS_USB_DWC2_REGS_H
/* clang-format off */
#define DRIVERS_USB_DWC2_REGS_H

/* Core global registers. */
#define DWC2_GAHBCFG                    0x008u
#define  DWC2_GAHBCFG_GLBL_INTR_EN      (1u << 0)
/* BCM283x only: bits 2:1 are the AXI burst length (0: 4 beats), bit 4 makes the core wait for its AXI writes to
 * complete before it reports a channel halted. Without it the driver can see the halt and read the bounce buffer
 * before the DMA data reach RAM. Linux drivers/usb/dwc2/params.c dwc2_set_bcm_params() sets ahbcfg 0x10; Circle
 * include/circle/usb/dwhci.h names the bit DWHCI_CORE_AHB_CFG_WAIT_AXI_WRITES. */
#define  DWC2_GAHBCFG_BCM_AXI_BURST_MASK (3u << 1)
#define  DWC2_GAHBCFG_BCM_WAIT_AXI_WRITES (1u << 4)
#define  DWC2_GAHBCFG_DMA_EN            (1u << 5)
#define DWC2_GUSBCFG                    0x00Cu
#define  DWC2_GUSBCFG_PHYIF16           (1u << 3)   /* clear: 8-bit UTMI+ data bus */
#define  DWC2_GUSBCFG_ULPI_UTMI_SEL     (1u << 4)   /* clear: UTMI+ PHY, not ULPI */
#define  DWC2_GUSBCFG_ULPI_EXT_VBUS_DRV (1u << 20)
#define  DWC2_GUSBCFG_TERMSEL_DL_PULSE  (1u << 22)
#define  DWC2_GUSBCFG_FORCE_HOST        (1u << 29)
#define  DWC2_GUSBCFG_FORCE_DEV         (1u << 30)
#define DWC2_GRSTCTL                    0x010u
#define  DWC2_GRSTCTL_CSFTRST           (1u << 0)
#define  DWC2_GRSTCTL_RXFFLSH           (1u << 4)
#define  DWC2_GRSTCTL_TXFFLSH           (1u << 5)
#define  DWC2_GRSTCTL_TXFNUM_LSB        6u
#define  DWC2_GRSTCTL_TXFNUM_ALL        0x10u       /* TxFNum value: flush every transmit FIFO */
#define  DWC2_GRSTCTL_AHBIDLE           (1u << 31)
#define DWC2_GINTSTS                    0x014u
#define  DWC2_GINTSTS_CURMODE_HOST      (1u << 0)
#define  DWC2_GINTSTS_HCHINT            (1u << 25)  /* some channel's HAINT bit is set and unmasked (read-only) */
#define DWC2_GINTMSK                    0x018u      /* same bit layout as GINTSTS */
#define DWC2_GRXFSIZ                    0x024u
#define DWC2_GNPTXFSIZ                  0x028u
/* GNPTXFSIZ and HPTXFSIZ: start address in bits 15:0, depth (in words) above it. */
#define  DWC2_FIFOSIZE_DEPTH_LSB        16u
#define DWC2_GSNPSID                    0x040u
#define  DWC2_GSNPSID_PRODUCT_MASK      0xFFFFF000u
#define  DWC2_GSNPSID_OTG2              0x4F542000u /* "OT2" + release: 0x4F54280A on a Pi, 0x4F54294A under QEMU */
#define  DWC2_GSNPSID_BCM283X           0x4F54280Au /* Linux drivers/usb/dwc2/core.h: DWC2_CORE_REV_2_80a */
#define  DWC2_GSNPSID_QEMU              0x4F54294Au /* QEMU 7.2 hw/usb/hcd-dwc2.c, dwc2_reset_enter() */
#define DWC2_GHWCFG2                    0x048u
#define  DWC2_GHWCFG2_NUM_HOST_CHAN_LSB 14u         /* the number of host channels minus one */
#define  DWC2_GHWCFG2_NUM_HOST_CHAN_MASK (0xFu << 14)
#define DWC2_GHWCFG3                    0x04Cu
#define  DWC2_GHWCFG3_DFIFO_DEPTH_LSB   16u         /* FIFO RAM in 32-bit words, bits 31:16 */
#define DWC2_HPTXFSIZ                   0x100u

/* Host mode registers. */
#define DWC2_HCFG                       0x400u
#define  DWC2_HCFG_FSLSPCLKSEL_MASK     (3u << 0)
#define  DWC2_HCFG_FSLSPCLKSEL_30_60    0u          /* UTMI+ PHY clock, as on the BCM283x */
#define DWC2_HFNUM                      0x408u
#define  DWC2_HFNUM_FRNUM_MASK          0xFFFFu
#define DWC2_HAINT                      0x414u      /* bit n: channel n */
#define DWC2_HAINTMSK                   0x418u
#define DWC2_HPRT0                      0x440u
#define  DWC2_HPRT0_CONNSTS             (1u << 0)
#define  DWC2_HPRT0_CONNDET             (1u << 1)
#define  DWC2_HPRT0_ENA                 (1u << 2)
#define  DWC2_HPRT0_ENACHG              (1u << 3)
#define  DWC2_HPRT0_OVRCURRACT          (1u << 4)
#define  DWC2_HPRT0_OVRCURRCHG          (1u << 5)
#define  DWC2_HPRT0_RST                 (1u << 8)
#define  DWC2_HPRT0_PWR                 (1u << 12)
#define  DWC2_HPRT0_SPD_LSB             17u
#define  DWC2_HPRT0_SPD_MASK            (3u << 17)
#define   DWC2_HPRT0_SPD_HIGH           0u
#define   DWC2_HPRT0_SPD_FULL           1u
#define   DWC2_HPRT0_SPD_LOW            2u
/* Writing 1 to these clears them (and writing 1 to ENA disables the port): never write them back by accident. */
#define  DWC2_HPRT0_W1C_MASK            (DWC2_HPRT0_CONNDET | DWC2_HPRT0_ENA | DWC2_HPRT0_ENACHG | \
                                         DWC2_HPRT0_OVRCURRCHG)

/* Host channel n's registers: DWC2_HC(n, DWC2_HCCHAR) and so on. */
#define DWC2_HC_BASE                    0x500u
#define DWC2_HC_STRIDE                  0x20u
#define DWC2_HC(ch, reg)                (DWC2_HC_BASE + (ch) * DWC2_HC_STRIDE + (reg))
#define DWC2_HCCHAR                     0x00u
#define  DWC2_HCCHAR_MPS_LSB            0u
#define  DWC2_HCCHAR_MPS_MASK           0x7FFu
#define  DWC2_HCCHAR_EPNUM_LSB          11u
#define  DWC2_HCCHAR_EPNUM_MASK         (0xFu << 11)
#define  DWC2_HCCHAR_EPDIR_IN           (1u << 15)
#define  DWC2_HCCHAR_LSPDDEV            (1u << 17)
#define  DWC2_HCCHAR_EPTYPE_LSB         18u
#define  DWC2_HCCHAR_EPTYPE_MASK        (3u << 18)
#define   DWC2_HCCHAR_EPTYPE_CONTROL    0u          /* the USB encoding (bmAttributes bits 1:0) */
#define   DWC2_HCCHAR_EPTYPE_ISO        1u
#define   DWC2_HCCHAR_EPTYPE_BULK       2u
#define   DWC2_HCCHAR_EPTYPE_INTR       3u
#define  DWC2_HCCHAR_MC_LSB             20u         /* transactions per (micro)frame for periodic endpoints */
#define  DWC2_HCCHAR_MC_MASK            (3u << 20)
#define  DWC2_HCCHAR_DEVADDR_LSB        22u
#define  DWC2_HCCHAR_DEVADDR_MASK       (0x7Fu << 22)
#define  DWC2_HCCHAR_ODDFRM             (1u << 29)
#define  DWC2_HCCHAR_CHDIS              (1u << 30)
#define  DWC2_HCCHAR_CHENA              (1u << 31)
#define DWC2_HCSPLT                     0x04u
#define  DWC2_HCSPLT_PRTADDR_LSB        0u
#define  DWC2_HCSPLT_PRTADDR_MASK       0x7Fu
#define  DWC2_HCSPLT_HUBADDR_LSB        7u
#define  DWC2_HCSPLT_HUBADDR_MASK       (0x7Fu << 7)
#define  DWC2_HCSPLT_XACTPOS_LSB        14u
#define  DWC2_HCSPLT_XACTPOS_MASK       (3u << 14)
#define  DWC2_HCSPLT_XACTPOS_ALL        (3u << 14)  /* the whole payload in one split transaction */
#define  DWC2_HCSPLT_COMPSPLT           (1u << 16)
#define  DWC2_HCSPLT_SPLTENA            (1u << 31)
#define DWC2_HCINT                      0x08u       /* write 1 to clear */
#define DWC2_HCINTMSK                   0x0Cu       /* same bit layout as HCINT */
#define  DWC2_HCINT_XFERCOMPL           (1u << 0)
#define  DWC2_HCINT_CHHLTD              (1u << 1)
#define  DWC2_HCINT_AHBERR              (1u << 2)
#define  DWC2_HCINT_STALL               (1u << 3)
#define  DWC2_HCINT_NAK                 (1u << 4)
#define  DWC2_HCINT_ACK                 (1u << 5)
#define  DWC2_HCINT_NYET                (1u << 6)
#define  DWC2_HCINT_XACTERR             (1u << 7)
#define  DWC2_HCINT_BBLERR              (1u << 8)
#define  DWC2_HCINT_FRMOVRUN            (1u << 9)
#define  DWC2_HCINT_DATATGLERR          (1u << 10)
#define  DWC2_HCINT_ALL                 0x7FFu
#define DWC2_HCTSIZ                     0x10u
#define  DWC2_HCTSIZ_XFERSIZE_LSB       0u
#define  DWC2_HCTSIZ_XFERSIZE_MASK      0x7FFFFu
#define  DWC2_HCTSIZ_PKTCNT_LSB         19u
#define  DWC2_HCTSIZ_PKTCNT_MASK        (0x3FFu << 19)
#define  DWC2_HCTSIZ_PID_LSB            29u
#define  DWC2_HCTSIZ_PID_MASK           (3u << 29)
#define   DWC2_PID_DATA0                0u
#define   DWC2_PID_DATA2                1u
#define   DWC2_PID_DATA1                2u
#define   DWC2_PID_SETUP                3u          /* MDATA for OUT data; SETUP on a control channel */
#define DWC2_HCDMA                      0x14u       /* bus address of the channel's data */

/* Power and clock gating. */
#define DWC2_PCGCTL                     0xE00u
/* clang-format on */

#endif /* DRIVERS_USB_DWC2_REGS_H */
