namespace DPoP.Http.Internal;

/// <summary>
/// The rules <see cref="DPoPHandlerOptions"/> must meet, shared by the handler's constructor and start-up validation
/// (the same shape as the token options' rules: one message per broken rule, naming the property).
/// </summary>
internal static class DPoPHandlerOptionsRules
{
    private static readonly TimeSpan MaxClockOffset = TimeSpan.FromHours(1);

    public static List<string> Check(DPoPHandlerOptions options)
    {
        var problems = new List<string>();
        if (options.MaxBufferedRequestBodySize < 0)
        {
            problems.Add($"{nameof(options.MaxBufferedRequestBodySize)} must be zero (no buffering) or more.");
        }

        if (options.NonceStoreCapacity < 1)
        {
            problems.Add($"{nameof(options.NonceStoreCapacity)} must be at least 1.");
        }

        if (options.NonceLifetime is { } lifetime && lifetime <= TimeSpan.Zero)
        {
            problems.Add($"{nameof(options.NonceLifetime)} must be positive, or null to keep nonces until replaced.");
        }

        if (options.ClockOffset.Duration() > MaxClockOffset)
        {
            problems.Add($"{nameof(options.ClockOffset)} must be within ±1 hour; a larger skew means the clock itself needs fixing.");
        }

        if (options.MaxRedirects < 0)
        {
            problems.Add($"{nameof(options.MaxRedirects)} must be zero or more.");
        }

        return problems;
    }
}
