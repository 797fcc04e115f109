// sh FILE: runs the lines of a file as if typed, with an interpreter of its own (its $? starts at
// 0; its `set -o` options are its own), in the current task (blank lines and comments are
// nothing). The exit status is the last command's. Scripts may run scripts, up to MaxDepth deep
// in one task. With `repeat`, this is the shell's loop: `repeat 1000 sh /cycle`.
using Kernel.Abi;
using Kernel.Drivers;
using Kernel.Fs;
using Kernel.Vfs;

namespace Kernel.Commands
{
    internal static class Script
    {
        private const int MaxDepth = 8;
        private const int MaxBytes = 64 * 1024;

        public static int Run(string[] argv, int argc)
        {
            if (argc != 2)
            {
                Console.Error("usage: sh FILE");
                return 2;
            }
            Proc.Process self = Sys.Processes.Current;
            if (self.ScriptDepth >= MaxDepth)
            {
                Console.Error(string.Concat("sh: ", argv[1], ": scripts nested too deeply"));
                return 2;
            }
            Errno e = Sys.Files.Open(argv[1], OpenFlags.Read, out OpenFile file);
            if (e != Errno.None)
            {
                Console.Error(string.Concat("sh: can't open '", argv[1], "': ", ErrnoText.Message(e)));
                return 2;
            }
            byte[] text = new byte[MaxBytes];
            int length = 0;
            while (length < MaxBytes)
            {
                e = Sys.Files.Read(file, text, length, MaxBytes - length, out int read);
                if (e != Errno.None || read == 0) break;
                length += read;
            }
            Sys.Files.Close(file);
            if (e != Errno.None)
            {
                Console.Error(string.Concat("sh: ", argv[1], ": ", ErrnoText.Message(e)));
                return 2;
            }
            self.ScriptDepth++;
            Interpreter script = new Interpreter();
            int start = 0;
            for (int i = 0; i <= length; i++)
            {
                if (i < length && text[i] != '\n') continue;
                if (i > start)
                {
                    char[] line = new char[i - start];
                    for (int k = 0; k < line.Length; k++) line[k] = (char)text[start + k];
                    script.RunLine(new string(line, 0, line.Length));
                }
                start = i + 1;
            }
            self.ScriptDepth--;
            return script.LastStatus;
        }
    }
}
