using Microsoft.Extensions.Options;

namespace DPoP.Http.Internal;

/// <summary>Validates each DPoP client's options at start-up; every message names the client and the property.</summary>
internal sealed class DPoPClientOptionsValidator(DPoPClientRegistry registry) : IValidateOptions<DPoPClientOptions>
{
    private static readonly TimeSpan MaxClockOffset = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, DPoPClientOptions options)
    {
        name ??= Options.DefaultName;
        if (!registry.Contains(name))
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        void Fail(string property, string rule) => failures.Add($"DPoP options of HttpClient '{name}': {property} {rule}");

        if (options.Algorithm is not null && !DPoPAlgorithms.IsSupported(options.Algorithm))
        {
            Fail(nameof(options.Algorithm), $"is not a supported algorithm (supported: {string.Join(", ", DPoPAlgorithms.Supported)}).");
        }

        if (options.KeyName is not null && string.IsNullOrWhiteSpace(options.KeyName))
        {
            Fail(nameof(options.KeyName), "must not be empty or whitespace; leave it null to use the client name.");
        }

        var hasInline = !string.IsNullOrEmpty(options.PrivateKey);
        var hasPath = !string.IsNullOrEmpty(options.PrivateKeyPath);
        if (hasInline && hasPath)
        {
            Fail(nameof(options.PrivateKey), $"and {nameof(options.PrivateKeyPath)} are both set; configure one key source.");
        }
        else if (hasPath && !File.Exists(options.PrivateKeyPath))
        {
            Fail(nameof(options.PrivateKeyPath), $"names a file that does not exist ('{options.PrivateKeyPath}').");
        }
        else if ((hasInline || hasPath) && failures.Count == 0)
        {
            try
            {
                using var key = ConfiguredDPoPKeys.Load(options);
            }
            catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
            {
                // Our import messages describe the rule broken and never quote the key.
                Fail(hasPath ? nameof(options.PrivateKeyPath) : nameof(options.PrivateKey), $"does not hold a usable private key: {ex.Message}");
            }
        }

        if (options.MaxBufferedRequestBodySize < 0)
        {
            Fail(nameof(options.MaxBufferedRequestBodySize), "must be zero (no buffering) or more.");
        }

        if (options.NonceStoreCapacity < 1)
        {
            Fail(nameof(options.NonceStoreCapacity), "must be at least 1.");
        }

        if (options.NonceLifetime is { } lifetime && lifetime <= TimeSpan.Zero)
        {
            Fail(nameof(options.NonceLifetime), "must be positive, or null to keep nonces until replaced.");
        }

        if (options.ClockOffset.Duration() > MaxClockOffset)
        {
            Fail(nameof(options.ClockOffset), "must be within ±1 hour; a larger skew means the clock itself needs fixing.");
        }

        if (options.MaxRedirects < 0)
        {
            Fail(nameof(options.MaxRedirects), "must be zero or more.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
