// How Kernel.Mm reports a kernel bug it detects (a double free, a free of a reserved frame):
// the kernel's handler prints the panic screen and halts; the host tests record the message.
// If the handler returns, the operation that found the bug returns without changing any state.
namespace Kernel.Mm
{
    public abstract class PanicHandler
    {
        public abstract void Panic(string message);
    }
}
