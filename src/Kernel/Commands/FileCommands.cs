// The shell's file commands: cd pwd ls mkdir rmdir rm touch stat mount umount mv ln (cat is a
// text tool: Shell/TextTools.cs), with busybox's messages ("mkdir: can't create directory 'x':
// File exists") and busybox's ls -l (owner, size, "Nov 14 22:13" or "Nov 14  2023",
// "link -> target"; -i: inode numbers). Errors go to the console
// (standard error), never into a redirected output file.
using Kernel.Drivers;
using Kernel.Shell;
using Kernel.Vfs;

namespace Kernel.Commands
{
    internal static class FileCommands
    {
        private static string Why(Errno e) => ErrnoText.Message(e);

        public static int Cd(string[] argv, int argc)
        {
            if (argc > 2)
            {
                Console.Error("sh: cd: too many arguments");
                return 1;
            }
            string path = argc == 2 ? argv[1] : "/";
            Errno e = Sys.Files.Resolve(path, out Inode inode, out string canonical);
            if (e == Errno.None && inode.Kind != InodeKind.Directory) e = Errno.ENOTDIR;
            if (e != Errno.None)
            {
                Console.Error(string.Concat("sh: cd: can't cd to ", path, ": ", Why(e)));
                return 1;
            }
            Sys.Processes.Current.Cwd = canonical;   // in a pipeline (a child) it changes only the child's, as in sh
            return 0;
        }

        public static int Pwd(string[] argv, int argc)
        {
            Console.WriteLine(Sys.Processes.Current.Cwd);
            return 0;
        }

        public static int Ls(string[] argv, int argc)
        {
            bool longFormat = false, inodes = false;
            int first = 1;
            for (; first < argc && argv[first].Length > 1 && argv[first][0] == '-'; first++)
            {
                string o = argv[first];
                for (int j = 1; j < o.Length; j++)
                {
                    if (o[j] == 'l') longFormat = true;
                    else if (o[j] == 'i') inodes = true;
                    else if (o[j] != '1' && o[j] != 'a')
                    {
                        Console.Error(string.Concat("ls: invalid option -- '", o.Substring(j, 1), "'"));
                        return 2;
                    }
                }
            }
            int status = 0;
            int operands = argc - first;
            if (operands == 0) return ListOne(".", longFormat, inodes, false);
            // As ls does: errors first, then the operands that are not directories (sorted), then
            // each directory (sorted) under a "DIR:" header when there are several operands.
            Kernel.Collections.Vector<string> files = new Kernel.Collections.Vector<string>(operands);
            Kernel.Collections.Vector<string> dirs = new Kernel.Collections.Vector<string>(operands);
            for (int i = first; i < argc; i++)
            {
                Errno e = longFormat ? Sys.Files.ResolveNoFollow(argv[i], out Inode inode, out string _) : Sys.Files.Resolve(argv[i], out inode, out string _);
                if (e != Errno.None)
                {
                    Console.Error(string.Concat("ls: ", argv[i], ": ", Why(e)));
                    status = 1;
                }
                else if (inode.Kind == InodeKind.Directory) dirs.Add(argv[i]);
                else files.Add(argv[i]);
            }
            string[] fileNames = files.ToArray(), dirNames = dirs.ToArray();
            Sorting.Sort(fileNames, Sorting.Ordinal);
            Sorting.Sort(dirNames, Sorting.Ordinal);
            for (int i = 0; i < fileNames.Length; i++)
                if (ListOne(fileNames[i], longFormat, inodes, false) != 0) status = 1;
            for (int i = 0; i < dirNames.Length; i++)
            {
                if (i > 0 || fileNames.Length > 0) Console.Write('\n');
                if (ListOne(dirNames[i], longFormat, inodes, operands > 1) != 0) status = 1;
            }
            return status;
        }

        private static int ListOne(string path, bool longFormat, bool inodes, bool header)
        {
            // -l shows a symbolic link named on the command line itself; plain ls lists where it leads.
            Errno e = longFormat ? Sys.Files.ResolveNoFollow(path, out Inode inode, out string _) : Sys.Files.Resolve(path, out inode, out string _);
            if (e != Errno.None)
            {
                Console.Error(string.Concat("ls: ", path, ": ", Why(e)));
                return 1;
            }
            if (inode.Kind != InodeKind.Directory)
            {
                Entry(path, inode, longFormat, inodes);
                return 0;
            }
            if (header) Console.WriteLine(string.Concat(path, ":"));
            string[] names;
            Inode[] children;
            e = Listing.Sorted(inode, out names, out children);
            for (int i = 0; i < names.Length; i++) Entry(names[i], children[i], longFormat, inodes);
            if (e != Errno.None)
            {
                Console.Error(string.Concat("ls: ", path, ": ", Why(e)));
                return 1;
            }
            return 0;
        }

        private static void Entry(string name, Inode inode, bool longFormat, bool inodes)
        {
            string ino = inodes ? string.Concat(Numbers.PadLeft(inode.Ino.ToString(), 7), " ") : "";
            if (!longFormat)
            {
                Console.WriteLine(string.Concat(ino, name));
                return;
            }
            // A device shows "major, minor" where a file shows its size (busybox's "%4u, %3u ").
            string size = inode.IsDevice
                ? string.Concat(Numbers.PadLeft(inode.DeviceMajor.ToString(), 4), ", ", Numbers.PadLeft(inode.DeviceMinor.ToString(), 3))
                : Numbers.PadLeft(inode.Size.ToString(), 9);
            string owners = string.Concat(" ", Numbers.PadRight(Listing.Owner(inode.Uid), 8), " ", Numbers.PadRight(Listing.Owner(inode.Gid), 8), " ");
            string when = CivilTime.Ls(inode.MTime, Rtc.Now);
            if (inode.IsSymlink)
            {
                Errno e;
                string target;
                using (Sys.Irq.Hold()) e = inode.ReadLink(out target);   // every VFS call holds the interrupt lock
                if (e == Errno.None) name = string.Concat(name, " -> ", target);
            }
            Console.WriteLine(string.Concat(string.Concat(ino, Listing.ModeString(inode), " ", Numbers.PadLeft(inode.Links.ToString(), 4)),
                owners, string.Concat(size, " ", when, " "), name));
        }

        public static int Mkdir(string[] argv, int argc)
        {
            bool parents = argc > 1 && argv[1] == "-p";
            int first = parents ? 2 : 1;
            if (first >= argc)
            {
                Console.Error("usage: mkdir [-p] DIRECTORY...");
                return 2;
            }
            int status = 0;
            for (int i = first; i < argc; i++)
            {
                Errno e = parents ? MkdirParents(argv[i]) : Sys.Files.Mkdir(argv[i]);
                if (e != Errno.None)
                {
                    Console.Error(string.Concat("mkdir: can't create directory '", argv[i], "': ", Why(e)));
                    status = 1;
                }
            }
            return status;
        }

        // mkdir -p: every missing directory on the way; an existing directory is fine.
        private static Errno MkdirParents(string path)
        {
            for (int end = 1; end <= path.Length; end++)
            {
                if (end < path.Length && path[end] != '/') continue;
                string prefix = path.Substring(0, end);
                Errno e = Sys.Files.Resolve(prefix, out Inode inode, out string _);
                if (e == Errno.ENOENT) e = Sys.Files.Mkdir(prefix);
                else if (e == Errno.None && inode.Kind != InodeKind.Directory) e = Errno.ENOTDIR;
                if (e != Errno.None) return e;
            }
            return Errno.None;
        }

        public static int Rm(string[] argv, int argc)
        {
            bool force = argc > 1 && argv[1] == "-f";
            int status = 0;
            int first = force ? 2 : 1;
            if (first >= argc && !force)
            {
                Console.Error("usage: rm [-f] FILE...");
                return 2;
            }
            for (int i = first; i < argc; i++)
            {
                Errno e = Sys.Files.Unlink(argv[i]);
                if (e == Errno.ENOENT && force) continue;
                if (e != Errno.None)
                {
                    Console.Error(string.Concat("rm: can't remove '", argv[i], "': ", Why(e)));
                    status = 1;
                }
            }
            return status;
        }

        public static int Rmdir(string[] argv, int argc)
        {
            if (argc < 2)
            {
                Console.Error("usage: rmdir DIRECTORY...");
                return 2;
            }
            int status = 0;
            for (int i = 1; i < argc; i++)
            {
                Errno e = Sys.Files.Rmdir(argv[i]);
                if (e != Errno.None)
                {
                    Console.Error(string.Concat("rmdir: '", argv[i], "': ", Why(e)));
                    status = 1;
                }
            }
            return status;
        }

        public static int Touch(string[] argv, int argc)
        {
            if (argc < 2)
            {
                Console.Error("usage: touch FILE...");
                return 2;
            }
            int status = 0;
            for (int i = 1; i < argc; i++)
            {
                // Like touch on Linux, which opens for writing: a read-only file is refused.
                Errno e = Sys.Files.Open(argv[i], OpenFlags.Write | OpenFlags.Create, out OpenFile file);
                if (e == Errno.EISDIR) continue;   // a directory exists: nothing to create
                if (e != Errno.None)
                {
                    Console.Error(string.Concat("touch: cannot touch '", argv[i], "': ", Why(e)));
                    status = 1;
                    continue;
                }
                Sys.Files.Close(file);
            }
            return status;
        }

        public static int Stat(string[] argv, int argc)
        {
            if (argc < 2)
            {
                Console.Error("usage: stat FILE...");
                return 2;
            }
            int status = 0;
            for (int i = 1; i < argc; i++)
            {
                Errno e = Sys.Files.ResolveNoFollow(argv[i], out Inode inode, out string canonical);
                if (e != Errno.None)
                {
                    Console.Error(string.Concat("stat: can't stat '", argv[i], "': ", Why(e)));
                    status = 1;
                    continue;
                }
                ulong blocks = inode.Blocks;
                Console.WriteLine(string.Concat("  File: ", canonical));
                Console.WriteLine(string.Concat("  Size: ", Numbers.PadRight(inode.Size.ToString(), 10), " Blocks: ",
                    string.Concat(Numbers.PadRight(blocks.ToString(), 8), " IO Block: 4096   ", Listing.KindName(inode))));
                Console.WriteLine(string.Concat("Device: ", inode.Fs.Type, "   Inode: ", string.Concat(inode.Ino.ToString(), "   Links: ", inode.Links.ToString())));
                Console.WriteLine(string.Concat("Access: (", Listing.OctalMode(inode), "/", string.Concat(Listing.ModeString(inode), ")  Uid: (0/root)   Gid: (0/root)")));
            }
            return status;
        }

        // mount                          list the mounts
        // mount -t TYPE SOURCE DIR       mount a new TYPE file system on DIR (SOURCE: the disk for
        //                                ext2, ignored otherwise: none)
        // mount SOURCE DIR               the disk's superblock says which (ext2)
        public static int Mount(string[] argv, int argc)
        {
            if (argc == 1)
            {
                for (int i = 0; i < Sys.Files.MountCount; i++)
                {
                    Sys.Files.MountAt(i, out string path, out FileSystem fs);
                    string options = fs.ReadOnly ? "ro" : "rw";
                    if (fs.Type == "ext2") options = string.Concat(options, ",noatime");
                    Console.WriteLine(string.Concat(fs.Source, " on ", path, string.Concat(" type ", fs.Type, " (", string.Concat(options, ")"))));
                }
                return 0;
            }
            bool typed = argc == 5 && argv[1] == "-t";
            if (!typed && argc != 3)
            {
                Console.Error("usage: mount [[-t TYPE] SOURCE DIRECTORY]");
                return 2;
            }
            string type = typed ? argv[2] : null, source = typed ? argv[3] : argv[1], dir = typed ? argv[4] : argv[2];
            Errno e = Sys.Files.Mount(type, source, dir);
            if (e == Errno.ENODEV && typed)
            {
                Console.Error(string.Concat("mount: unknown filesystem type '", argv[2], "'"));
                return 1;
            }
            if (e != Errno.None)
            {
                Console.Error(string.Concat("mount: mounting ", source, " on ", string.Concat(dir, " failed: ", Why(e))));
                return 1;
            }
            return 0;
        }

        public static int Umount(string[] argv, int argc)
        {
            if (argc != 2)
            {
                Console.Error("usage: umount DIRECTORY|DEVICE");
                return 2;
            }
            Errno e = Sys.Files.Unmount(argv[1], Sys.Processes.Init.Cwd);
            if (e != Errno.None)
            {
                Console.Error(string.Concat("umount: can't unmount ", argv[1], ": ", Why(e)));
                return 1;
            }
            return 0;
        }
    }
}
