// Model-based property test of ext2 through the VFS: random histories of create/write (at random
// offsets, some past the direct blocks), append, truncate, unlink, mkdir, rmdir, rename, hard link,
// read, sync-and-drop-caches and remount on a small namespace of paths (two levels of the names
// a, b, d), against a model of directories and byte arrays (hard links share one array). Every
// step's errno must be the model's, and every read the model's bytes. At the end the file system
// is unmounted, every frame must be back, e2fsck -fn must find nothing wrong, and debugfs's rdump
// of the image must be the model's tree byte for byte.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using CsCheck;
using Kernel.Abi;
using Kernel.Vfs;
using Xunit;

namespace Kernel.Vfs.Tests
{
    public class Ext2PropertyTests
    {
        public enum Kind { Write, Append, Truncate, Unlink, Mkdir, Rmdir, Rename, Link, Read, Drop, Remount }

        public readonly record struct Op(Kind Kind, string Path, string Other, int Offset, int Length)
        {
            public override string ToString() => Kind switch
            {
                Kind.Write => $"write {Path} at {Offset} {Length} bytes",
                Kind.Append => $"append {Length} bytes to {Path}",
                Kind.Truncate => $"truncate {Path} to {Offset}",
                Kind.Rename => $"rename {Path} {Other}",
                Kind.Link => $"link {Path} {Other}",
                Kind.Drop or Kind.Remount => Kind.ToString().ToLowerInvariant(),
                _ => $"{Kind.ToString().ToLowerInvariant()} {Path}",
            };
        }

        private sealed class MFile { public List<byte> Data = new(); }

        // The model: path (under the mount, "a", "d/b") → a directory (null) or a file.
        private sealed class Model
        {
            public readonly Dictionary<string, MFile> Nodes = new();

            public bool Exists(string p) => p == "" || Nodes.ContainsKey(p);
            public bool IsDir(string p) => p == "" || (Nodes.TryGetValue(p, out MFile f) && f == null);
            public static string Parent(string p) => p.Contains('/') ? p[..p.LastIndexOf('/')] : "";

            // The errno of walking to p's parent (None when it is a directory).
            public Errno ParentError(string p)
            {
                string parent = Parent(p);
                if (parent == "") return Errno.None;
                if (!Exists(parent)) return Errno.ENOENT;
                return IsDir(parent) ? Errno.None : Errno.ENOTDIR;
            }

            public bool Empty(string dir) => !Nodes.Keys.Any(k => Parent(k) == dir);
        }

        private static readonly string[] Paths =
            new[] { "a", "b", "d" }.Concat(from x in new[] { "a", "b", "d" } from y in new[] { "a", "b", "d" } select x + "/" + y).ToArray();

        private static readonly Gen<Op> Ops =
            Gen.Select(Gen.Int[0, 100], Gen.Int[0, Paths.Length - 1], Gen.Int[0, Paths.Length - 1],
                Gen.OneOf(Gen.Int[0, 20000], Gen.Int[0, 80].Select(k => k * 4096), Gen.Int[10, 400].Select(k => k * 1024 - 1)),
                Gen.OneOf(Gen.Int[0, 9000], Gen.Int[0, 2].Select(k => k * 4096), Gen.Int[0, 3]))
            .Select((k, p, o, off, len) => new Op(
                k < 22 ? Kind.Write : k < 30 ? Kind.Append : k < 38 ? Kind.Truncate : k < 48 ? Kind.Unlink : k < 60 ? Kind.Mkdir :
                k < 67 ? Kind.Rmdir : k < 80 ? Kind.Rename : k < 86 ? Kind.Link : k < 94 ? Kind.Read : k < 97 ? Kind.Drop : Kind.Remount,
                Paths[p], Paths[o], off, len));

        [Fact]
        public void Random_histories_match_the_model_and_e2fsck_finds_nothing()
        {
            byte[] image1k = HostTools.MakeImage(null, 8192, 1024, 256);
            byte[] image4k = HostTools.MakeImage(null, 8192, 4096, 128);
            Gen.Select(Gen.Bool, Ops.Array[1, 60]).Sample((big, ops) => Run(big ? image4k : image1k, ops), iter: 60,
                print: t => (t.Item1 ? "4 KiB blocks: " : "1 KiB blocks: ") + string.Join("; ", t.Item2));
        }

        private static void Run(byte[] image, Op[] ops)
        {
            using var w = new Ext2World(image, frames: 2048);
            w.MountOk();
            var m = new Model();
            int seed = 0;
            foreach (Op op in ops) Step(w, m, op, ++seed);
            Assert.Null(w.Fs.Verify());
            w.UmountAndCheck();
            CompareWithRdump(w.Image(), m);
        }

        private static string K(string p) => "/mnt/" + p;

        private static void Step(Ext2World w, Model m, Op op, int seed)
        {
            Vfs v = w.Vfs;
            switch (op.Kind)
            {
                case Kind.Write:
                case Kind.Append:
                {
                    Errno expect = m.ParentError(op.Path);
                    if (expect == Errno.None && m.IsDir(op.Path)) expect = Errno.EISDIR;
                    OpenFlags flags = OpenFlags.Write | OpenFlags.Create | (op.Kind == Kind.Append ? OpenFlags.Append : 0);
                    Errno e = v.Open("/", K(op.Path), flags, out OpenFile f);
                    Assert.Equal(expect, e);
                    if (e != Errno.None) return;
                    if (!m.Nodes.ContainsKey(op.Path)) m.Nodes[op.Path] = new MFile();
                    MFile mf = m.Nodes[op.Path];
                    var data = new byte[op.Length];
                    new Random(seed).NextBytes(data);
                    int at = op.Kind == Kind.Append ? mf.Data.Count : op.Offset;
                    f.Offset = (ulong)at;
                    Assert.Equal(Errno.None, f.Write(data, 0, data.Length, out int n));
                    Assert.Equal(data.Length, n);
                    f.Close();
                    if (data.Length > 0)
                    {
                        while (mf.Data.Count < at + data.Length) mf.Data.Add(0);
                        for (int i = 0; i < data.Length; i++) mf.Data[at + i] = data[i];
                    }
                    break;
                }
                case Kind.Truncate:
                {
                    Errno expect = m.ParentError(op.Path);
                    if (expect == Errno.None && !m.Exists(op.Path)) expect = Errno.ENOENT;
                    if (expect == Errno.None && m.IsDir(op.Path)) expect = Errno.EISDIR;
                    Errno e = v.Open("/", K(op.Path), OpenFlags.Write, out OpenFile f);
                    Assert.Equal(expect, e);
                    if (e != Errno.None) return;
                    Assert.Equal(Errno.None, f.Inode.Truncate((ulong)op.Offset));
                    f.Close();
                    List<byte> d = m.Nodes[op.Path].Data;
                    if (d.Count > op.Offset) d.RemoveRange(op.Offset, d.Count - op.Offset);
                    while (d.Count < op.Offset) d.Add(0);
                    break;
                }
                case Kind.Read:
                {
                    Errno expect = m.ParentError(op.Path);
                    if (expect == Errno.None && !m.Exists(op.Path)) expect = Errno.ENOENT;
                    Errno e = v.Open("/", K(op.Path), OpenFlags.Read, out OpenFile f);
                    Assert.Equal(expect, e);
                    if (e != Errno.None) return;
                    f.Close();
                    if (m.IsDir(op.Path))
                    {
                        var names = m.Nodes.Keys.Where(k => Model.Parent(k) == op.Path).Select(k => k[(k.LastIndexOf('/') + 1)..]).OrderBy(x => x, StringComparer.Ordinal).ToList();
                        List<string> got = w.Names(K(op.Path));
                        got.Remove("lost+found");
                        Assert.Equal(names, got);
                    }
                    else Assert.Equal(m.Nodes[op.Path].Data.ToArray(), w.ReadAll(K(op.Path)));
                    break;
                }
                case Kind.Unlink:
                {
                    Errno expect = m.ParentError(op.Path);
                    if (expect == Errno.None && !m.Exists(op.Path)) expect = Errno.ENOENT;
                    if (expect == Errno.None && m.IsDir(op.Path)) expect = Errno.EISDIR;
                    Assert.Equal(expect, v.Unlink("/", K(op.Path)));
                    if (expect == Errno.None) m.Nodes.Remove(op.Path);
                    break;
                }
                case Kind.Mkdir:
                {
                    Errno expect = m.ParentError(op.Path);
                    if (expect == Errno.None && m.Exists(op.Path)) expect = Errno.EEXIST;
                    Assert.Equal(expect, v.Mkdir("/", K(op.Path)));
                    if (expect == Errno.None) m.Nodes[op.Path] = null;
                    break;
                }
                case Kind.Rmdir:
                {
                    Errno expect = m.ParentError(op.Path);
                    if (expect == Errno.None && !m.Exists(op.Path)) expect = Errno.ENOENT;
                    if (expect == Errno.None && !m.IsDir(op.Path)) expect = Errno.ENOTDIR;
                    if (expect == Errno.None && !m.Empty(op.Path)) expect = Errno.ENOTEMPTY;
                    Assert.Equal(expect, v.Rmdir("/", K(op.Path)));
                    if (expect == Errno.None) m.Nodes.Remove(op.Path);
                    break;
                }
                case Kind.Rename:
                {
                    string from = op.Path, to = op.Other;
                    Errno expect = m.ParentError(from);
                    if (expect == Errno.None) expect = m.ParentError(to);
                    if (expect == Errno.None && !m.Exists(from)) expect = Errno.ENOENT;
                    if (expect == Errno.None && m.IsDir(from) && to.StartsWith(from + "/")) expect = Errno.EINVAL;
                    bool same = expect == Errno.None && (to == from || (m.Exists(to) && m.Nodes[to] != null && ReferenceEquals(m.Nodes[to], m.Nodes[from])));
                    if (expect == Errno.None && !same && m.Exists(to))
                    {
                        if (m.IsDir(from) && !m.IsDir(to)) expect = Errno.ENOTDIR;
                        else if (!m.IsDir(from) && m.IsDir(to)) expect = Errno.EISDIR;
                        else if (m.IsDir(to) && !m.Empty(to)) expect = Errno.ENOTEMPTY;
                    }
                    Assert.Equal(expect, v.Rename("/", K(from), K(to)));
                    if (expect != Errno.None || same) return;
                    var moved = m.Nodes.Where(kv => kv.Key == from || kv.Key.StartsWith(from + "/")).ToList();
                    m.Nodes.Remove(to);
                    foreach (var kv in moved) m.Nodes.Remove(kv.Key);
                    foreach (var kv in moved) m.Nodes[to + kv.Key[from.Length..]] = kv.Value;
                    break;
                }
                case Kind.Link:
                {
                    string from = op.Path, to = op.Other;
                    Errno expect = m.ParentError(from);
                    if (expect == Errno.None && !m.Exists(from)) expect = Errno.ENOENT;
                    if (expect == Errno.None && m.IsDir(from)) expect = Errno.EPERM;
                    if (expect == Errno.None) expect = m.ParentError(to);
                    if (expect == Errno.None && m.Exists(to)) expect = Errno.EEXIST;
                    Assert.Equal(expect, v.Link("/", K(from), K(to)));
                    if (expect == Errno.None) m.Nodes[to] = m.Nodes[from];
                    break;
                }
                case Kind.Drop:
                {
                    Assert.Equal(Errno.None, w.Fs.Sync());
                    for (int i = 0; i < w.Vm.Vm.Caches.Count; i++) w.Vm.Vm.Caches.At(i).DropClean();
                    w.Pool.DropClean();
                    break;
                }
                case Kind.Remount:
                {
                    Assert.Equal(Errno.None, w.Umount());
                    w.AssertAllFreed();
                    w.MountOk();
                    break;
                }
            }
        }

        private static void CompareWithRdump(byte[] image, Model m)
        {
            string dir = HostTools.TempDir();
            try
            {
                HostTools.Debugfs(image, "rdump / " + dir);
                string root = dir;   // rdump of "/" writes the root's entries straight into dir
                var found = new Dictionary<string, byte[]>();
                foreach (string p in Directory.GetFileSystemEntries(root, "*", SearchOption.AllDirectories))
                {
                    string rel = Path.GetRelativePath(root, p).Replace('\\', '/');
                    if (rel == "lost+found" || rel.StartsWith("lost+found/")) continue;
                    found[rel] = Directory.Exists(p) ? null : File.ReadAllBytes(p);
                }
                Assert.Equal(m.Nodes.Keys.OrderBy(x => x, StringComparer.Ordinal), found.Keys.OrderBy(x => x, StringComparer.Ordinal));
                foreach (var kv in m.Nodes)
                {
                    if (kv.Value == null) Assert.Null(found[kv.Key]);
                    else Assert.True(kv.Value.Data.SequenceEqual(found[kv.Key]), "contents of " + kv.Key);
                }
            }
            finally { Directory.Delete(dir, true); }
        }
    }
}
