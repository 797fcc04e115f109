// The text tools' view of the system (Shell/ToolIo.cs) in the kernel: files opened through the VFS
// and recorded on the task (Processes.OpenHeld: a tool killed in a pipeline — SIGPIPE, Ctrl-C —
// leaves nothing open), standard input from the task's stdin (a pipe or a file) or else the
// console (ConsoleInput), standard output and error through Console (the task's redirections).
using Kernel.Drivers;
using Kernel.Fs;
using Kernel.Shell;
using Kernel.Vfs;

namespace Kernel.Commands
{
    internal sealed class KernelToolIo : ToolIo
    {
        public static readonly KernelToolIo Instance = new KernelToolIo();
        private static readonly ByteSource s_stdin = new StdinSource();

        private sealed class StdinSource : ByteSource
        {
            public override Errno Read(byte[] buffer, int start, int count, out int read)
            {
                FileInput input = Sys.Processes.Current.Stdin;
                if (input == null) return ConsoleInput.Read(buffer, start, count, out read);   // Ctrl-C: EINTR
                read = 0;
                if (Jobs.Interrupted()) return Errno.EINTR;   // a file that never ends (< /dev/zero)
                return input.Read(buffer, start, count, out read);
            }

            public override void Close() { }
        }

        private sealed class FileSource : ByteSource
        {
            private readonly OpenFile _file;
            public FileSource(OpenFile file) { _file = file; }
            // A file may never end (/dev/zero): every read first looks for Ctrl-C or a kill.
            public override Errno Read(byte[] buffer, int start, int count, out int read)
            {
                read = 0;
                if (Jobs.Interrupted()) return Errno.EINTR;
                return Sys.Files.Read(_file, buffer, start, count, out read);
            }
            public override void Close() => Sys.Processes.CloseHeld(_file);
        }

        private sealed class FileSink : ByteSink
        {
            private readonly OpenFile _file;
            private Errno _error;
            public FileSink(OpenFile file) { _file = file; }

            public override Errno Write(byte[] buffer, int start, int count)
            {
                if (_error != Errno.None) return _error;
                Errno e = Sys.Files.Write(_file, buffer, start, count, out int written);
                if (e == Errno.None && written < count) e = Errno.ENOSPC;
                _error = e;
                return e;
            }

            public override Errno Close()
            {
                Sys.Processes.CloseHeld(_file);
                return _error;
            }
        }

        public override Errno Open(string path, out ByteSource source)
        {
            source = null;
            Errno e = Sys.Processes.OpenHeld(Sys.Files, path, OpenFlags.Read, out OpenFile file);
            if (e != Errno.None) return e;
            source = new FileSource(file);
            return Errno.None;
        }

        public override Errno Create(string path, bool append, out ByteSink sink)
        {
            sink = null;
            OpenFlags flags = OpenFlags.Write | OpenFlags.Create | (append ? OpenFlags.Append : OpenFlags.Truncate);
            Errno e = Sys.Processes.OpenHeld(Sys.Files, path, flags, out OpenFile file);
            if (e != Errno.None) return e;
            sink = new FileSink(file);
            return Errno.None;
        }

        public override ByteSource Stdin => s_stdin;
        public override void Write(string text) => Console.Write(text);
        public override void Error(string line) => Console.Error(line);

        // A tool as a built-in's handler.
        public static CommandHandler Handler(ToolMain tool) => (argv, argc) =>
        {
            string[] args = argv;
            if (argc != argv.Length)
            {
                args = new string[argc];
                for (int i = 0; i < argc; i++) args[i] = argv[i];
            }
            return tool(Instance, args);
        };
    }

    internal delegate int ToolMain(ToolIo io, string[] argv);
}
