using System.Text;
using CsCheck;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// Generators of what a hostile or broken server sends: valid inputs mutated one to four times (bit flips,
/// truncation, deleted or repeated slices, lone surrogate and other JSON escapes, huge numbers, deep nesting, odd
/// Unicode: BOM, U+FFFD, joiners, bidi controls, combining marks, NUL), and random text or bytes.
/// </summary>
internal static class ServerInputMutations
{
    /// <summary>Fragments a mutation inserts: JSON escapes, huge numbers, structure, URI and header syntax, odd Unicode.</summary>
    private static readonly string[] Fragments =
    [
        "\\ud800", "\\udc00", "\\ud800\\ud800", "\\udc00\\ud800", "\\u0000", "\\\"", "\\\\", "\\/", "\\u005f", "\\x", "\\u12",
        "1e400", "-1e400", "-0", "99999999999999999999999999999", "1.7976931348623157e309", "NaN", "Infinity", "null", "true",
        "\"", ",", ":", "{", "}", "[", "]", "{}", "[]", "/*", "*/", "//",
        "%", "%zz", "%00", "%2F", "@", "#", "?", "..", "/../", "\\", "xn--", "xn--zz", ":99999", ":0", "[", "]", "::1",
        "=", ";", " ", "\t", "\"\"", "DPoP", "dpop", "error", "use_dpop_nonce", "Bearer ",
        "\uFEFF", "\uFFFD", "\uFFFF", "\u200D", "\u200C", "\u202E", "\u061C", "\u0301", "\u05D0", "\u0627", "\u00AD", "\u3002",
        "\uD83D\uDE00", "\uD800", "\uDC00", "\0", "\u0001", "\u007F", "\u0085", "\u2028", "\u00E9", "\u0130", "\u212A",
    ];

    /// <summary>Escapes that are valid JSON but awkward to decode: lone surrogates, NUL, quote, backslash.</summary>
    private static readonly string[] Escapes = ["\\ud800", "\\udc00", "\\udfff\\ud800", "\\u0000", "\\\"", "\\\\"];

    private enum Kind
    {
        FlipBit,
        Truncate,
        Insert,
        InsertEscape,
        DeleteSlice,
        RepeatSlice,
        Nest,
        ReplaceChar,
    }

    /// <summary>Mostly mutations of <paramref name="seeds"/>, sometimes random text of <paramref name="alphabet"/> or any character.</summary>
    public static Gen<string> Text(string alphabet, params string[] seeds) => Gen.Frequency(
        (12, Mutated(seeds)),
        (2, Gen.Char[alphabet].Array[0, 60].Select(c => new string(c))),
        (1, Gen.Char.Array[0, 40].Select(c => new string(c))));

    /// <summary>Bodies as bytes: mutated seeds as UTF-8, and sometimes flipped bits in the bytes or random bytes.</summary>
    public static Gen<byte[]> Bytes(params string[] seeds) => Gen.Frequency(
        (10, Mutated(seeds).Select(s => Encoding.UTF8.GetBytes(s))),
        (3, Gen.Select(Mutated(seeds), Gen.Int[0, int.MaxValue].Array[1, 4], (s, flips) => FlipBits(Encoding.UTF8.GetBytes(s), flips))),
        (1, Gen.Byte.Array[0, 80]));

    private static Gen<string> Mutated(string[] seeds) =>
        from seed in Gen.OneOfConst(seeds)
        from steps in Gen.Select(Gen.Enum<Kind>(), Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], (kind, a, b) => (kind, a, b)).Array[1, 4]
        select steps.Aggregate(seed, (text, step) => Apply(text, step.kind, step.a, step.b));

    private static string Apply(string text, Kind kind, int a, int b)
    {
        var at = text.Length == 0 ? 0 : a % (text.Length + 1);
        var length = text.Length - at == 0 ? 0 : 1 + (b % Math.Min(text.Length - at, 12));
        return kind switch
        {
            Kind.FlipBit when at < text.Length => text[..at] + (char)(text[at] ^ (1 << (b % 16))) + text[(at + 1)..],
            Kind.Truncate => text[..at],
            Kind.Insert => text[..at] + Fragments[b % Fragments.Length] + text[at..],
            Kind.InsertEscape => text[..at] + Escapes[b % Escapes.Length] + text[at..],
            Kind.DeleteSlice => text[..at] + text[(at + length)..],
            Kind.RepeatSlice => text[..(at + length)] + text[at..],
            Kind.Nest => text[..at] + new string('[', 1 + (b % 3000)) + text[at..],
            Kind.ReplaceChar when at < text.Length => text[..at] + Fragments[b % Fragments.Length] + text[(at + 1)..],
            _ => text,
        };
    }

    private static byte[] FlipBits(byte[] bytes, int[] flips)
    {
        foreach (var flip in flips)
        {
            if (bytes.Length != 0)
            {
                bytes[flip % bytes.Length] ^= (byte)(1 << (flip / bytes.Length % 8));
            }
        }

        return bytes;
    }
}
