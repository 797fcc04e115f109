; isr.asm: entry stubs for all 256 interrupt vectors.
; Each stub makes the frame uniform (a zero error code where the CPU pushes none, then the
; vector), saves every general register and the FPU/SSE state, and calls
; interrupt_dispatch(InterruptFrame*) in C# (Arch/InterruptFrame.cs mirrors this layout:
; r15 at the lowest address ... rax, vector, error code, then the CPU's rip, cs, rflags, rsp, ss).
; interrupt_dispatch returns the frame to resume: the same one, or another task's (a context
; switch). A task's FPU/SSE state is always at (frame - 512) & ~15, on its own stack.
bits 64
extern interrupt_dispatch
global isr_stub_table

section .text
%macro ISR_NOERR 1
isr%1:
    push 0
    push %1
    jmp isr_common
%endmacro
%macro ISR_ERR 1
isr%1:
    push %1
    jmp isr_common
%endmacro

%assign i 0
%rep 256
%if i == 8 || (i >= 10 && i <= 14) || i == 17 || i == 21 || i == 29 || i == 30
    ISR_ERR i
%else
    ISR_NOERR i
%endif
%assign i i+1
%endrep

isr_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    mov rdi, rsp
    mov rbx, rsp                    ; callee-saved: the frame, to restore rsp afterwards
    sub rsp, 512
    and rsp, ~15
    fxsave64 [rsp]
    cld
    call interrupt_dispatch
    mov rbx, rax                    ; the frame to resume (maybe another task's)
    lea rsp, [rbx - 512]
    and rsp, ~15
    fxrstor64 [rsp]
    mov rsp, rbx
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                     ; vector and error code
    iretq

section .rodata
align 8
isr_stub_table:
%assign i 0
%rep 256
    dq isr%+i
%assign i i+1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
