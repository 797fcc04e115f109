using Kernel.Shell;
using Xunit;

namespace Kernel.Host.Tests
{
    public class NumbersTests
    {
        [Theory]
        [InlineData("0", 0)]
        [InlineData("-0", 0)]
        [InlineData("7", 7)]
        [InlineData("007", 7)]
        [InlineData("-15", -15)]
        [InlineData("2147483647", int.MaxValue)]
        [InlineData("-2147483648", int.MinValue)]
        [InlineData("0000000000000000000000000000042", 42)]
        public void Int_ok(string s, int expected)
        {
            Assert.Equal(ParseStatus.Ok, Numbers.TryParseInt(s, out int v));
            Assert.Equal(expected, v);
        }

        [Theory]
        [InlineData("2147483648")]
        [InlineData("-2147483649")]
        [InlineData("4294967296")]
        [InlineData("18446744073709551615")]
        [InlineData("18446744073709551616")]
        [InlineData("99999999999999999999999999")]
        [InlineData("-99999999999999999999999999")]
        public void Int_out_of_range(string s)
        {
            Assert.Equal(ParseStatus.OutOfRange, Numbers.TryParseInt(s, out int v));
            Assert.Equal(0, v);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("-")]
        [InlineData("--1")]
        [InlineData("1x")]
        [InlineData(" 1")]
        [InlineData("1 ")]
        [InlineData("+1")]
        [InlineData("1\n")]
        [InlineData("0x10")]   // hex not enabled
        [InlineData("1-")]
        [InlineData("1.5")]
        [InlineData("abc")]
        [InlineData("99999999999999999999x")]   // syntax beats overflow
        [InlineData("\u0661")]                  // Arabic-Indic digit one: not ASCII
        public void IntInvalid(string s)
        {
            Assert.Equal(ParseStatus.Invalid, Numbers.TryParseInt(s, out int v));
            Assert.Equal(0, v);
        }

        [Theory]
        [InlineData("0x0", 0)]
        [InlineData("0x10", 16)]
        [InlineData("0XfF", 255)]
        [InlineData("0x7fffffff", int.MaxValue)]
        [InlineData("-0x80000000", int.MinValue)]
        [InlineData("-0x1", -1)]
        [InlineData("42", 42)]
        public void Int_hex_ok(string s, int expected)
        {
            Assert.Equal(ParseStatus.Ok, Numbers.TryParseInt(s, true, out int v));
            Assert.Equal(expected, v);
        }

        [Theory]
        [InlineData("0x", ParseStatus.Invalid)]
        [InlineData("0xg", ParseStatus.Invalid)]
        [InlineData("x10", ParseStatus.Invalid)]
        [InlineData("0x-1", ParseStatus.Invalid)]
        [InlineData("0x 1", ParseStatus.Invalid)]
        [InlineData("0x80000000", ParseStatus.OutOfRange)]
        [InlineData("0x10000000000000000", ParseStatus.OutOfRange)]
        public void Int_hex_errors(string s, ParseStatus expected)
        {
            Assert.Equal(expected, Numbers.TryParseInt(s, true, out int v));
            Assert.Equal(0, v);
        }

        [Theory]
        [InlineData("9223372036854775807", long.MaxValue)]
        [InlineData("-9223372036854775808", long.MinValue)]
        [InlineData("-1", -1L)]
        [InlineData("2147483648", 2147483648L)]
        public void Long_ok(string s, long expected)
        {
            Assert.Equal(ParseStatus.Ok, Numbers.TryParseLong(s, out long v));
            Assert.Equal(expected, v);
        }

        [Theory]
        [InlineData("9223372036854775808")]
        [InlineData("-9223372036854775809")]
        [InlineData("18446744073709551616")]
        public void Long_out_of_range(string s)
        {
            Assert.Equal(ParseStatus.OutOfRange, Numbers.TryParseLong(s, out long v));
            Assert.Equal(0, v);
        }

        [Fact]
        public void Long_hex()
        {
            Assert.Equal(ParseStatus.Ok, Numbers.TryParseLong("0x7fffffffffffffff", true, out long v));
            Assert.Equal(long.MaxValue, v);
            Assert.Equal(ParseStatus.Ok, Numbers.TryParseLong("-0x8000000000000000", true, out v));
            Assert.Equal(long.MinValue, v);
            Assert.Equal(ParseStatus.OutOfRange, Numbers.TryParseLong("0x8000000000000000", true, out v));
            Assert.Equal(ParseStatus.Invalid, Numbers.TryParseLong("0x8000000000000000", out v));
        }

        [Theory]
        [InlineData("0", 0UL)]
        [InlineData("18446744073709551615", ulong.MaxValue)]
        [InlineData("4294967296", 4294967296UL)]
        public void U_long_ok(string s, ulong expected)
        {
            Assert.Equal(ParseStatus.Ok, Numbers.TryParseULong(s, out ulong v));
            Assert.Equal(expected, v);
        }

        [Theory]
        [InlineData("18446744073709551616", ParseStatus.OutOfRange)]
        [InlineData("184467440737095516150", ParseStatus.OutOfRange)]
        [InlineData("-1", ParseStatus.Invalid)]
        [InlineData("-0", ParseStatus.Invalid)]
        [InlineData("", ParseStatus.Invalid)]
        [InlineData("+5", ParseStatus.Invalid)]
        public void U_long_errors(string s, ParseStatus expected)
        {
            Assert.Equal(expected, Numbers.TryParseULong(s, out ulong v));
            Assert.Equal(0UL, v);
        }

        [Fact]
        public void U_long_hex()
        {
            Assert.Equal(ParseStatus.Ok, Numbers.TryParseULong("0xFFFFFFFFFFFFFFFF", true, out ulong v));
            Assert.Equal(ulong.MaxValue, v);
            Assert.Equal(ParseStatus.Ok, Numbers.TryParseULong("0x00000000000000000001", true, out v));
            Assert.Equal(1UL, v);
            Assert.Equal(ParseStatus.OutOfRange, Numbers.TryParseULong("0x1FFFFFFFFFFFFFFFF", true, out v));
            Assert.Equal(0UL, v);
        }

        [Fact]
        public void U_int()
        {
            Assert.Equal(ParseStatus.Ok, Numbers.TryParseUInt("4294967295", out uint v));
            Assert.Equal(uint.MaxValue, v);
            Assert.Equal(ParseStatus.OutOfRange, Numbers.TryParseUInt("4294967296", out v));
            Assert.Equal(ParseStatus.Ok, Numbers.TryParseUInt("0xffffffff", true, out v));
            Assert.Equal(uint.MaxValue, v);
            Assert.Equal(ParseStatus.Invalid, Numbers.TryParseUInt("-1", out v));
        }

        [Fact]
        public void Decimal_round_trips_every_power_of_ten_boundary()
        {
            ulong p = 1;
            for (int i = 0; i < 20; i++)
            {
                foreach (ulong x in new[] { p - 1, p, p + 1 })
                {
                    Assert.Equal(ParseStatus.Ok, Numbers.TryParseULong(Numbers.Decimal(x), out ulong back));
                    Assert.Equal(x, back);
                }
                p *= 10;
            }
        }

        [Theory]
        [InlineData(0UL, 1, "0")]
        [InlineData(0UL, 4, "0000")]
        [InlineData(0xABCUL, 4, "0abc")]
        [InlineData(0xDEADBEEFUL, 8, "deadbeef")]
        [InlineData(0xDEADBEEFUL, 16, "00000000deadbeef")]
        [InlineData(0x12345UL, 2, "12345")]   // never truncates
        [InlineData(ulong.MaxValue, 16, "ffffffffffffffff")]
        [InlineData(ulong.MaxValue, 40, "ffffffffffffffff")]
        [InlineData(5UL, 0, "5")]
        [InlineData(5UL, -3, "5")]
        public void Hex(ulong value, int digits, string expected)
        {
            Assert.Equal(expected, Numbers.Hex(value, digits));
        }

        [Fact]
        public void Hex_minimal_and_decimal()
        {
            Assert.Equal("ff", Numbers.Hex(255));
            Assert.Equal("0", Numbers.Hex(0));
            Assert.Equal("18446744073709551615", Numbers.Decimal(ulong.MaxValue));
            Assert.Equal("-9223372036854775808", Numbers.Decimal(long.MinValue));
            Assert.Equal("0", Numbers.Decimal(0UL));
        }

        [Fact]
        public void Padding()
        {
            Assert.Equal("   ab", Numbers.PadLeft("ab", 5));
            Assert.Equal("ab   ", Numbers.PadRight("ab", 5));
            Assert.Equal("abcdef", Numbers.PadLeft("abcdef", 3));
            Assert.Equal("abcdef", Numbers.PadRight("abcdef", 3));
            Assert.Equal("007", Numbers.PadLeft("7", 3, '0'));
            Assert.Equal("7..", Numbers.PadRight("7", 3, '.'));
            Assert.Equal("  ", Numbers.PadLeft(null, 2));
            Assert.Equal("ab", Numbers.PadRight("ab", -1));
        }

        [Fact]
        public void Digit_helpers()
        {
            Assert.True(Numbers.IsDigit('0'));
            Assert.True(Numbers.IsDigit('9'));
            Assert.False(Numbers.IsDigit('a'));
            Assert.False(Numbers.IsDigit('/'));
            Assert.False(Numbers.IsDigit(':'));
            Assert.Equal(10, Numbers.HexDigitValue('a'));
            Assert.Equal(15, Numbers.HexDigitValue('F'));
            Assert.Equal(-1, Numbers.HexDigitValue('g'));
            Assert.Equal(-1, Numbers.HexDigitValue('@'));
        }
    }
}
