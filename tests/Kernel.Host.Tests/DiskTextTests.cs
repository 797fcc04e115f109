// The disk commands' text: the POSIX CRC against coreutils' cksum (the oracle, run on random
// data), lsblk's and busybox's human sizes, dd's numbers and operands as busybox 1.35 takes them
// (each case below was checked against busybox on Linux), and seconds with six decimals.
using System;
using System.Diagnostics;
using System.IO;
using Kernel.Shell;
using Xunit;

namespace Kernel.Host.Tests
{
    public class DiskTextTests
    {
        private static string Cksum(byte[] data)
        {
            uint crc = PosixCrc.Update(0, data, 0, data.Length);
            return PosixCrc.Finish(crc, (ulong)data.Length) + " " + data.Length;
        }

        [Fact]
        public void Crc_matches_known_values()
        {
            Assert.Equal("4294967295 0", Cksum([]));
            Assert.Equal("3015617425 6", Cksum("hello\n"u8.ToArray()));
            Assert.Equal("1260869142 100000", Cksum(new byte[100000]));
        }

        [Fact]
        public void Crc_matches_the_host_cksum_on_random_data_in_pieces()
        {
            var random = new Random(7);
            for (int run = 0; run < 40; run++)
            {
                byte[] data = new byte[random.Next(0, 5000)];
                random.NextBytes(data);
                int piece = random.Next(1, 700);
                string file = Path.GetTempFileName();
                try
                {
                    File.WriteAllBytes(file, data);
                    var psi = new ProcessStartInfo("cksum") { RedirectStandardOutput = true };
                    psi.ArgumentList.Add(file);
                    using Process p = Process.Start(psi)!;
                    string[] host = p.StandardOutput.ReadToEnd().Trim().Split(' ');
                    p.WaitForExit();
                    uint crc = 0;
                    for (int at = 0; at < data.Length; at += piece) crc = PosixCrc.Update(crc, data, at, Math.Min(piece, data.Length - at));
                    Assert.Equal(host[0] + " " + host[1], PosixCrc.Finish(crc, (ulong)data.Length) + " " + data.Length);
                }
                finally { File.Delete(file); }
            }
        }

        [Theory]
        [InlineData(0UL, "0B")]
        [InlineData(512UL, "512B")]
        [InlineData(1023UL, "1023B")]
        [InlineData(1024UL, "1K")]
        [InlineData(1536UL, "1.5K")]
        [InlineData(4UL << 20, "4M")]
        [InlineData(16UL << 20, "16M")]
        [InlineData(512UL << 20, "512M")]
        [InlineData(200UL << 30, "200G")]
        [InlineData(256UL << 30, "256G")]
        [InlineData((238UL << 30) + (1UL << 29), "238.5G")]
        [InlineData((2UL << 30) - 1, "2G")]          // 1.999… rounds up to the next whole
        [InlineData((1UL << 40) + (1UL << 37), "1.1T")]
        public void Lsblk_sizes(ulong bytes, string text) => Assert.Equal(text, DiskText.LsblkSize(bytes));

        [Theory]
        [InlineData(0UL, "0")]
        [InlineData(512UL, "512")]
        [InlineData(1023UL, "1023")]
        [InlineData(1024UL, "1.0K")]
        [InlineData(409600UL, "400.0K")]
        [InlineData(1048575UL, "1024.0K")]
        [InlineData(4194304UL, "4.0M")]
        [InlineData(33179424UL, "31.6M")]
        [InlineData(7000UL, "6.8K")]
        public void Busybox_human_sizes(ulong value, string text) => Assert.Equal(text, DiskText.BusyboxHuman(value));

        [Theory]
        [InlineData("0", 0UL)]
        [InlineData("1", 1UL)]
        [InlineData("1c", 1UL)]
        [InlineData("1w", 2UL)]
        [InlineData("2b", 1024UL)]
        [InlineData("1k", 1024UL)]
        [InlineData("1K", 1024UL)]
        [InlineData("1kB", 1000UL)]
        [InlineData("1kD", 1000UL)]
        [InlineData("1M", 1048576UL)]
        [InlineData("1MB", 1000000UL)]
        [InlineData("1G", 1073741824UL)]
        [InlineData("1GB", 1000000000UL)]
        [InlineData("18446744073709551615", ulong.MaxValue)]
        public void Dd_numbers(string s, ulong value)
        {
            Assert.True(DiskText.TryParseDdNumber(s, out ulong got));
            Assert.Equal(value, got);
        }

        [Theory]
        [InlineData("")]
        [InlineData("+5")]
        [InlineData("-1")]
        [InlineData(" 5")]
        [InlineData("5 ")]
        [InlineData("0x10")]
        [InlineData("1x")]
        [InlineData("1kk")]
        [InlineData("1B")]
        [InlineData("1kb")]
        [InlineData("k")]
        [InlineData("18446744073709551616")]
        [InlineData("99999999999999999999")]
        [InlineData("18014398509481984k")]     // 2^54 KiB overflows
        public void Dd_numbers_busybox_refuses(string s) => Assert.False(DiskText.TryParseDdNumber(s, out _));

        private static DdOperands Parse(params string[] args)
        {
            string[] argv = new string[args.Length + 1];
            argv[0] = "dd";
            args.CopyTo(argv, 1);
            return DdOperands.Parse(argv, argv.Length);
        }

        [Fact]
        public void Dd_operands_parse_with_defaults_and_later_ones_winning()
        {
            DdOperands o = Parse("if=/dev/vda", "of=/x", "bs=64k", "count=3", "skip=1", "seek=2", "conv=notrunc,fsync", "iflag=direct", "oflag=direct", "bs=4k");
            Assert.Null(o.Error);
            Assert.Equal("/dev/vda", o.Input);
            Assert.Equal("/x", o.Output);
            Assert.Equal(4096UL, o.BlockSize);
            Assert.Equal(3UL, o.Count);
            Assert.Equal(1UL, o.Skip);
            Assert.Equal(2UL, o.Seek);
            Assert.True(o.NoTruncate && o.Fsync);
            DdOperands d = Parse();
            Assert.Null(d.Error);
            Assert.Null(d.Input);
            Assert.Equal(512UL, d.BlockSize);
            Assert.Equal(ulong.MaxValue, d.Count);
        }

        [Theory]
        [InlineData("bs=abc", "dd: invalid number 'abc'")]
        [InlineData("bs=0", "dd: number 0 is not in 1..9223372036854775807 range")]
        [InlineData("bs=9223372036854775808", "dd: number 9223372036854775808 is not in 1..9223372036854775807 range")]
        [InlineData("count=-1", "dd: invalid number '-1'")]
        [InlineData("skip=", "dd: invalid number ''")]
        [InlineData("iflag=foo", "dd: invalid argument 'foo' to 'iflag'")]
        [InlineData("oflag=direct,sync", "dd: invalid argument 'sync' to 'oflag'")]
        [InlineData("conv=notrunc,bar", "dd: invalid argument 'bar' to 'conv'")]
        [InlineData("conv=", "dd: invalid argument '' to 'conv'")]
        public void Dd_operand_errors_are_busybox_s(string operand, string message)
        {
            DdOperands o = Parse("if=/dev/vda", operand);
            Assert.Equal(message, o.Error);
            Assert.False(o.ShowUsage);
        }

        [Theory]
        [InlineData("foo=1")]
        [InlineData("/dev/vda")]
        [InlineData("=5")]
        [InlineData("ibs=512")]
        public void Unknown_dd_operands_show_the_usage(string operand)
        {
            DdOperands o = Parse(operand);
            Assert.True(o.ShowUsage);
            Assert.StartsWith("Usage: dd [if=FILE] [of=FILE]", o.Error);
        }

        [Theory]
        [InlineData(0UL, "0.000000")]
        [InlineData(12345UL, "0.012345")]
        [InlineData(1000000UL, "1.000000")]
        [InlineData(61234567UL, "61.234567")]
        public void Seconds_have_six_decimals(ulong micros, string text) => Assert.Equal(text, DiskText.Seconds(micros));

        [Theory]
        [InlineData(44UL, 100UL, "0.44")]
        [InlineData(1UL, 3UL, "0.33")]
        [InlineData(2UL, 3UL, "0.67")]
        [InlineData(121UL, 100UL, "1.21")]
        [InlineData(5UL, 0UL, "n/a")]
        public void Ratios_have_two_decimals(ulong a, ulong b, string text) => Assert.Equal(text, DiskText.Ratio(a, b));
    }
}
