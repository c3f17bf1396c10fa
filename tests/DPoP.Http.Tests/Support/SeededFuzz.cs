using System.Diagnostics;
using System.Text;
using CsCheck;

namespace DPoP.Http.Tests.Support;

/// <summary>
/// Runs a property over inputs that all derive from one CsCheck seed string, so a CI run is repeatable input for
/// input (CsCheck's <c>Sample</c> seeds only its first iteration), up to a number of inputs or a time budget,
/// whichever comes first; a failure names the seed, the input's index and the input, escaped.
/// </summary>
internal static class SeededFuzz
{
    /// <summary>How long one input may take before it counts as a hang (a liveness bound, not a performance target).</summary>
    public static readonly TimeSpan HangBound = TimeSpan.FromSeconds(10);

    public static int Run<T>(Gen<T> gen, string seed, int maxInputs, TimeSpan budget, Action<T> property, Func<T, string> print)
    {
        var pcg = PCG.Parse(seed);
        var clock = Stopwatch.StartNew();
        var count = 0;
        for (; count < maxInputs && clock.Elapsed < budget; count++)
        {
            var input = gen.Generate(pcg, null, out _);
            try
            {
                property(input);
            }
            catch (Exception ex)
            {
                throw new AssertionException($"Seed {seed}, input #{count}: {print(input)}{Environment.NewLine}{ex}");
            }
        }

        TestContext.Out.WriteLine($"{count} inputs in {clock.Elapsed.TotalSeconds:F1} s (seed {seed})");
        return count;
    }

    /// <summary>Waits for <paramref name="task"/>, failing when it takes longer than <see cref="HangBound"/>.</summary>
    public static T Within<T>(Task<T> task) =>
        task.WaitAsync(HangBound).GetAwaiter().GetResult();

    /// <summary>Printable ASCII, everything else escaped, at most 400 characters.</summary>
    public static string Escape(string value)
    {
        var text = new StringBuilder();
        foreach (var c in value.Length > 400 ? value[..400] : value)
        {
            text.Append(c is >= ' ' and < '\u007f' and not '\\' ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return value.Length > 400 ? $"{text}… ({value.Length} chars)" : text.ToString();
    }

    public static string Escape(byte[] value) => Escape(Encoding.Latin1.GetString(value));
}
