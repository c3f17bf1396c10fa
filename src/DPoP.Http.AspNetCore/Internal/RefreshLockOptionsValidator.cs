using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Checks each DPoP scheme's farm-wide refresh lock settings at start-up (<see cref="DPoPOpenIdConnectOptions.RefreshLockPrefix"/>,
/// <see cref="DPoPOpenIdConnectOptions.RefreshLockTimeout"/>); every message names the scheme and the property.
/// </summary>
internal sealed class RefreshLockOptionsValidator(DPoPSchemeRegistry registry) : IValidateOptions<DPoPOpenIdConnectOptions>
{
    /// <summary>Lock engines limit names (SQL Server: 255 characters); the hash after the prefix takes 43.</summary>
    public const int MaximumPrefixLength = 100;

    public ValidateOptionsResult Validate(string? name, DPoPOpenIdConnectOptions options)
    {
        if (name is null || !registry.Contains(name))
        {
            return ValidateOptionsResult.Skip;
        }

        List<string>? failures = null;
        void Fail(string property, string rule) => (failures ??= []).Add($"DPoP options of OpenID Connect scheme '{name}': {property} {rule}");

        if (string.IsNullOrWhiteSpace(options.RefreshLockPrefix) || options.RefreshLockPrefix.Length > MaximumPrefixLength)
        {
            Fail(nameof(options.RefreshLockPrefix), $"must not be empty or whitespace, and at most {MaximumPrefixLength} characters.");
        }

        // The wait is part of RefreshTimeout: a lock that came at its very end would leave the refresh no time.
        if (options.RefreshLockTimeout <= TimeSpan.Zero || options.RefreshLockTimeout >= options.RefreshTimeout)
        {
            Fail(nameof(options.RefreshLockTimeout), $"must be positive and shorter than RefreshTimeout ({options.RefreshTimeout}), which it is part of (it is {options.RefreshLockTimeout}).");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
