using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Checks each DPoP scheme's <see cref="DPoPOpenIdConnectOptions.RefreshTimeout"/> and
/// <see cref="DPoPOpenIdConnectOptions.RevocationTimeout"/> at start-up; every message names the scheme and the property.
/// </summary>
internal sealed class SessionTimeoutsValidator(DPoPSchemeRegistry registry) : IValidateOptions<DPoPOpenIdConnectOptions>
{
    /// <summary>The longest either bound may be: the tombstone of an ended session must outlive any refresh (<see cref="UserSessions"/>).</summary>
    public static readonly TimeSpan Maximum = TimeSpan.FromMinutes(5);

    public ValidateOptionsResult Validate(string? name, DPoPOpenIdConnectOptions options)
    {
        if (name is null || !registry.Contains(name))
        {
            return ValidateOptionsResult.Skip;
        }

        List<string>? failures = null;
        foreach (var (property, value) in new[] { (nameof(options.RefreshTimeout), options.RefreshTimeout), (nameof(options.RevocationTimeout), options.RevocationTimeout) })
        {
            if (value <= TimeSpan.Zero || value > Maximum)
            {
                (failures ??= []).Add($"DPoP options of OpenID Connect scheme '{name}': {property} must be positive and at most {Maximum.TotalMinutes} minutes (it is {value}).");
            }
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
