// sh FILE: runs the commands in a file, one per line, as if typed (blank lines and lines starting
// with '#' are skipped). The exit status is the last command's. Scripts may run scripts, up to
// MaxDepth deep. With `repeat`, this is the shell's loop: `repeat 1000 sh /cycle`.
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
        private static int s_depth;

        public static int Run(string[] argv, int argc)
        {
            if (argc != 2)
            {
                Console.Error("usage: sh FILE");
                return 2;
            }
            if (s_depth >= MaxDepth)
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
            s_depth++;
            int start = 0;
            for (int i = 0; i <= length; i++)
            {
                if (i < length && text[i] != '\n') continue;
                if (i > start && text[start] != '#')
                {
                    char[] line = new char[i - start];
                    for (int k = 0; k < line.Length; k++) line[k] = (char)text[start + k];
                    Shell.ExecuteLine(new string(line, 0, line.Length));
                }
                start = i + 1;
            }
            s_depth--;
            return Shell.LastStatus;
        }
    }
}
