; arch.asm: the few instructions C# cannot express, each a plain System V function that the
; kernel binds with [RuntimeImport("*", name)], plus runtime helpers ILC's code calls by symbol.
bits 64
section .text

%macro FUNC 1
global %1
%1:
%endmacro

FUNC arch_outb
    mov dx, di
    mov al, sil
    out dx, al
    ret
FUNC arch_outw
    mov dx, di
    mov ax, si
    out dx, ax
    ret
FUNC arch_outl
    mov dx, di
    mov eax, esi
    out dx, eax
    ret
FUNC arch_inb
    mov dx, di
    xor eax, eax
    in al, dx
    ret
FUNC arch_inw
    mov dx, di
    xor eax, eax
    in ax, dx
    ret
FUNC arch_inl
    mov dx, di
    in eax, dx
    ret
FUNC arch_io_wait
    out 0x80, al
    ret
FUNC arch_cli
    cli
    ret
FUNC arch_sti
    sti
    ret
FUNC arch_hlt
    hlt
    ret
; sti; hlt as one unit: an interrupt that arrives between them still wakes the hlt
FUNC arch_sti_hlt
    sti
    hlt
    ret
FUNC arch_read_flags
    pushfq
    pop rax
    ret
FUNC arch_write_flags
    push rdi
    popfq
    ret
FUNC arch_read_cr0
    mov rax, cr0
    ret
FUNC arch_read_cr2
    mov rax, cr2
    ret
FUNC arch_read_cr3
    mov rax, cr3
    ret
FUNC arch_write_cr3
    mov cr3, rdi
    ret
FUNC arch_read_cr4
    mov rax, cr4
    ret
FUNC arch_invlpg
    invlpg [rdi]
    ret
FUNC arch_rdtsc
    rdtsc
    shl rdx, 32
    or rax, rdx
    ret
FUNC arch_rdmsr
    mov ecx, edi
    rdmsr
    shl rdx, 32
    or rax, rdx
    ret
FUNC arch_wrmsr
    mov ecx, edi
    mov eax, esi
    mov rdx, rsi
    shr rdx, 32
    wrmsr
    ret
FUNC arch_read_rbp
    mov rax, rbp
    ret
FUNC arch_read_rsp
    lea rax, [rsp + 8]
    ret
; lgdt [rdi], then reload the segment registers and CS (0x08 code, 0x10 data)
FUNC arch_load_gdt
    lgdt [rdi]
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    pop rax
    push 0x08
    push rax
    retfq
FUNC arch_load_tss
    ltr di
    ret
FUNC arch_load_idt
    lidt [rdi]
    ret
FUNC arch_int3
    int3
    ret
; A voluntary context switch: the scheduler runs from the interrupt path (vector 0x81).
FUNC arch_yield
    int 0x81
    ret
FUNC arch_ud2
    ud2
    ret
; Double fault on purpose: with rsp on an unmapped page, delivering a breakpoint faults, and
; delivering that page fault faults again; the CPU then raises #DF on its IST stack.
FUNC arch_trigger_double_fault
    mov rsp, 0x0000000000001000
    int3
    ret
FUNC arch_halt_forever
    cli
.again:
    hlt
    jmp .again

; ---- helpers ILC-generated code calls by symbol ----
; Write barriers: the heap does not move objects and has no generations, so a store is enough.
FUNC RhpAssignRef
FUNC RhpCheckedAssignRef
    mov [rdi], rsi
    ret
; rdi = destination, rsi = source; both advance by 8 (used by struct copies).
FUNC RhpByRefAssignRef
    mov rcx, [rsi]
    mov [rdi], rcx
    add rdi, 8
    add rsi, 8
    ret

; Reverse P/Invoke transitions: ILC's generated library-startup stub brackets itself with these.
; There is one address space and no cooperative GC mode to switch, so they do nothing.
FUNC RhpReversePInvoke
FUNC RhpReversePInvokeReturn
    ret

FUNC memset
    mov r9, rdi
    mov eax, esi
    mov rcx, rdx
    rep stosb
    mov rax, r9
    ret
FUNC memcpy
    mov rax, rdi
    mov rcx, rdx
    rep movsb
    ret
FUNC memmove
    mov rax, rdi
    mov rcx, rdx
    cmp rdi, rsi
    jbe .forward
    lea r8, [rsi + rdx]
    cmp rdi, r8
    jae .forward
    lea rsi, [rsi + rdx - 1]
    lea rdi, [rdi + rdx - 1]
    std
    rep movsb
    cld
    ret
.forward:
    rep movsb
    ret

; Interface dispatch: the call site jumps here with the object in rdi and the dispatch cell in
; r11 (ILC 10). Save the argument registers, ask the C# resolver for the target, restore, and tail-jump.
extern interface_dispatch_resolve
FUNC RhpInitialDynamicInterfaceDispatch
FUNC RhpInitialInterfaceDispatch
    push rdi
    push rsi
    push rdx
    push rcx
    push r8
    push r9
    sub rsp, 8 + 128
    movdqu [rsp + 0], xmm0
    movdqu [rsp + 16], xmm1
    movdqu [rsp + 32], xmm2
    movdqu [rsp + 48], xmm3
    movdqu [rsp + 64], xmm4
    movdqu [rsp + 80], xmm5
    movdqu [rsp + 96], xmm6
    movdqu [rsp + 112], xmm7
    mov rsi, r11
    call interface_dispatch_resolve
    movdqu xmm0, [rsp + 0]
    movdqu xmm1, [rsp + 16]
    movdqu xmm2, [rsp + 32]
    movdqu xmm3, [rsp + 48]
    movdqu xmm4, [rsp + 64]
    movdqu xmm5, [rsp + 80]
    movdqu xmm6, [rsp + 96]
    movdqu xmm7, [rsp + 112]
    add rsp, 8 + 128
    pop r9
    pop r8
    pop rcx
    pop rdx
    pop rsi
    pop rdi
    jmp rax

section .data
global __security_cookie
__security_cookie: dq 0x2f8a6c9e4b1d3057
section .note.GNU-stack noalloc noexec nowrite progbits

section .text
; Addresses the linker script defines, for C#.
extern __image_start, __kernel_end, __modules_start, __modules_end, __ksyms_start, __ksyms_end, __load_end
FUNC layout_image_start
    lea rax, [rel __image_start]
    ret
FUNC layout_kernel_end
    lea rax, [rel __kernel_end]
    ret
FUNC layout_modules_start
    lea rax, [rel __modules_start]
    ret
FUNC layout_modules_end
    lea rax, [rel __modules_end]
    ret
FUNC layout_ksyms_start
    lea rax, [rel __ksyms_start]
    ret
FUNC layout_ksyms_end
    lea rax, [rel __ksyms_end]
    ret
FUNC layout_text_end
    lea rax, [rel __load_end]
    ret
extern __text_end, __rodata_end, boot_stack_guard
FUNC layout_text_end_exact
    lea rax, [rel __text_end]
    ret
FUNC layout_rodata_end
    lea rax, [rel __rodata_end]
    ret
FUNC layout_boot_stack_guard
    lea rax, [rel boot_stack_guard]
    ret
extern ist_stack_top, ist2_stack_top, boot_stack_top
FUNC layout_ist1_top
    lea rax, [rel ist_stack_top]
    ret
FUNC layout_ist2_top
    lea rax, [rel ist2_stack_top]
    ret
FUNC layout_boot_stack_top
    lea rax, [rel boot_stack_top]
    ret
extern isr_stub_table
FUNC layout_isr_stub_table
    lea rax, [rel isr_stub_table]
    ret
section .note.GNU-stack noalloc noexec nowrite progbits

section .text
; arch_call_with_saved_registers(fn): pushes the callee-saved registers, then calls fn(rsp), so a
; conservative scan from rsp upward sees every reference the callers kept in registers.
FUNC arch_call_with_saved_registers
    push rbp
    mov rbp, rsp
    push rbx
    push r12
    push r13
    push r14
    push r15
    sub rsp, 8
    mov rax, rdi
    mov rdi, rsp
    call rax
    add rsp, 8
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret
section .note.GNU-stack noalloc noexec nowrite progbits

section .text
; Whole 4 KiB pages: rdi = destination (, rsi = source).
FUNC arch_zero_page
    xor eax, eax
    mov ecx, 512
    rep stosq
    ret
FUNC arch_copy_page
    mov ecx, 512
    rep movsq
    ret
section .note.GNU-stack noalloc noexec nowrite progbits
