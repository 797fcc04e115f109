; boot.asm: from the boot loader's 32-bit protected mode to kmain in 64-bit long mode.
;
; The whole image is linked at KERNEL_VMA + physical address (see linker.ld), so until paging
; is on, every address must be converted with PHYS(). Both boot protocols are accepted:
;   Multiboot2 (GRUB, from the ISO):  eax = 0x36d76289, ebx = physical address of the info
;   Multiboot1 (qemu -kernel):         eax = 0x2BADB002, ebx = physical address of the info
; Page tables built here (2 MiB pages):
;   0x0000000000000000 .. +1 GiB   identity (only until the kernel runs from its own tables)
;   0xFFFF800000000000 .. +4 GiB   direct map of the first 4 GiB of physical memory
;   0xFFFFFFFF80000000 .. +1 GiB   the kernel image (physical 0 .. 1 GiB)
; kmain(magic, info) never returns.

bits 32
KERNEL_VMA equ 0xFFFFFFFF80000000
%define PHYS(x) ((x) - KERNEL_VMA)

MB2_MAGIC equ 0xE85250D6
MB1_MAGIC equ 0x1BADB002
MB1_FLAGS equ 0x00010003          ; page-align modules, memory info, a.out kludge addresses

extern kmain
extern __image_start, __load_end, __bss_end
global _start, boot_stack_top, boot_pml4, ist_stack_top, ist2_stack_top

section .multiboot
align 8
mb2_header:
    dd MB2_MAGIC, 0, mb2_header_end - mb2_header
    dd -(MB2_MAGIC + 0 + (mb2_header_end - mb2_header))
    ; entry address tag: the ELF entry is a higher-half address, so name the physical one
    align 8
    dw 3, 0
    dd 12
    dd PHYS(_start)
    align 8
    dw 0, 0
    dd 8
mb2_header_end:

align 4
mb1_header:
    dd MB1_MAGIC, MB1_FLAGS, -(MB1_MAGIC + MB1_FLAGS)
    dd PHYS(mb1_header)             ; header_addr
    dd PHYS(__image_start)          ; load_addr
    dd PHYS(__load_end)             ; load_end_addr
    dd PHYS(__bss_end)              ; bss_end_addr
    dd PHYS(_start)                 ; entry_addr

section .boot.text progbits alloc exec
_start:
    cli
    mov esp, PHYS(boot_stack_top)
    mov edi, eax                    ; keep magic and info for kmain (SysV: rdi, rsi)
    mov esi, ebx

    ; zero the page tables (they live in .boot.bss, which the loader may not clear)
    mov edi, PHYS(page_tables)
    mov ecx, (page_tables_end - page_tables) / 4
    push eax
    xor eax, eax
    rep stosd
    pop eax
    mov edi, eax
    mov esi, ebx

    ; PD for physical 0..1 GiB, shared by the identity map and the kernel map
    mov ebx, PHYS(pd_low)
    xor ecx, ecx
.fill_low:
    mov eax, ecx
    shl eax, 21
    or eax, 0x83                     ; present, writable, 2 MiB
    mov [ebx + ecx * 8], eax
    inc ecx
    cmp ecx, 512
    jne .fill_low

    ; four PDs for the direct map of 0..4 GiB
    mov ebx, PHYS(pd_direct)
    xor ecx, ecx
.fill_direct:
    mov eax, ecx
    shl eax, 21
    or eax, 0x83
    mov [ebx + ecx * 8], eax
    mov eax, ecx
    shr eax, 11                      ; high dword of (ecx << 21)
    mov [ebx + ecx * 8 + 4], eax
    inc ecx
    cmp ecx, 2048
    jne .fill_direct

    mov eax, PHYS(pd_low) + 3
    mov [PHYS(pdpt_low)], eax
    mov [PHYS(pdpt_high) + 510 * 8], eax
    mov eax, PHYS(pd_direct) + 3
    mov ecx, 0
.fill_pdpt_direct:
    mov [PHYS(pdpt_direct) + ecx * 8], eax
    add eax, 4096
    inc ecx
    cmp ecx, 4
    jne .fill_pdpt_direct
    mov eax, PHYS(pdpt_low) + 3
    mov [PHYS(boot_pml4)], eax
    mov eax, PHYS(pdpt_direct) + 3
    mov [PHYS(boot_pml4) + 256 * 8], eax
    mov eax, PHYS(pdpt_high) + 3
    mov [PHYS(boot_pml4) + 511 * 8], eax

    ; SSE before any C#: CR0.EM=0, CR0.MP=1, CR4.OSFXSR|OSXMMEXCPT; PAE for long mode
    mov eax, cr0
    and eax, ~(1 << 2)
    or eax, (1 << 1)
    mov cr0, eax
    mov eax, cr4
    or eax, (1 << 5) | (1 << 9) | (1 << 10)
    mov cr4, eax

    mov eax, PHYS(boot_pml4)
    mov cr3, eax
    mov ecx, 0xC0000080              ; EFER.LME
    rdmsr
    or eax, (1 << 8)
    wrmsr
    mov eax, cr0
    or eax, (1 << 31) | (1 << 16)    ; PG, WP
    mov cr0, eax

    lgdt [PHYS(gdt_ptr32)]
    jmp 0x08:PHYS(long_mode_low)

bits 64
long_mode_low:
    mov rax, long_mode_high
    jmp rax

section .text
long_mode_high:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ax, ax
    mov fs, ax
    mov gs, ax
    lgdt [gdt_ptr64]
    mov rsp, boot_stack_top
    xor rbp, rbp
    ; rdi = magic, rsi = info (zero-extended by the 32-bit moves above)
    mov edi, edi
    mov esi, esi
    call kmain
.hang:
    cli
    hlt
    jmp .hang

section .rodata
align 16
gdt64:
    dq 0
    dq 0x00AF9A000000FFFF            ; 0x08 kernel code, 64-bit
    dq 0x00CF92000000FFFF            ; 0x10 kernel data
gdt64_end:
gdt_ptr64:
    dw gdt64_end - gdt64 - 1
    dq gdt64

section .boot.data progbits alloc noexec write
align 16
gdt_ptr32:
    dw gdt64_end - gdt64 - 1
    dd PHYS(gdt64)

section .bss nobits alloc noexec write
align 4096
page_tables:
boot_pml4:   resb 4096
pdpt_low:    resb 4096
pdpt_high:   resb 4096
pdpt_direct: resb 4096
pd_low:      resb 4096
pd_direct:   resb 4096 * 4
page_tables_end:

align 4096
global boot_stack_guard
boot_stack_guard: resb 4096          ; unmapped once the kernel has its own tables
boot_stack:  resb 64 * 1024          ; the boot CPU's kernel stack (64 KiB)
boot_stack_top:
ist_stack:   resb 16 * 1024          ; IST1: double fault
ist_stack_top:
ist2_stack:  resb 16 * 1024          ; IST2: NMI and machine check
ist2_stack_top:

section .note.GNU-stack noalloc noexec nowrite progbits
