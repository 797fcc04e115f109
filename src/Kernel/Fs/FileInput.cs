// A task's standard input read from a file or a pipe (`cmd < file`, `a | b`), or from nothing
// (a background job's, as sh gives it /dev/null): the tools read it through Stdin when they are
// given no file. Shared like FileOutput: the shell and the tasks it starts hold references, and
// the last Release closes the file — for a pipe's read end, that is what gives its writers EPIPE.
// A read from a pipe may sleep with the interrupt lock held (Pipe.cs); a fatal signal ends it.
// Invariants: _references > 0 until the last Release; _file is null only for the empty input.
using Kernel.Sync;
using Kernel.Vfs;

namespace Kernel.Fs
{
    internal sealed class FileInput
    {
        private readonly OpenFile _file;   // null: always at its end
        private readonly IrqLock _irq;
        private int _references = 1;

        public FileInput(OpenFile file, IrqLock irq)
        {
            _file = file;
            _irq = irq;
        }

        // An input at its end from the start (/dev/null's).
        public static FileInput Empty(IrqLock irq) => new FileInput(null, irq);

        // Up to count bytes; 0 at the end. EINTR when a fatal signal cut a wait short.
        public Errno Read(byte[] buffer, int start, int count, out int read)
        {
            read = 0;
            if (_file == null) return Errno.None;
            using (_irq.Hold()) return _file.Read(buffer, start, count, out read);
        }

        public void Retain()
        {
            using (_irq.Hold()) _references++;
        }

        public void Release()
        {
            using (_irq.Hold())
            {
                if (--_references > 0) return;
                if (_file != null) _file.Close();
            }
        }
    }
}
