using DPoP.Http.Internal;
using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Checks at start-up what <c>AddDPoPClientCredentialsToken(scheme, configure)</c> will ask the token endpoint for, so a
/// reserved name in <see cref="DPoPClientCredentialsTokenOptions.Parameters"/>, a negative <c>RefreshBeforeExpiry</c>
/// and the like fail the app's start with a message naming the client and the property, not its first API call. The
/// ranges are attributes checked by generated code (<see cref="DPoPClientCredentialsTokenOptionsAttributes"/>); the
/// parameter names by the token client's own rule. What comes from the scheme is checked with the scheme's options.
/// </summary>
internal sealed class SchemeAppTokenOptionsValidator(string clientName, string scheme) : IValidateOptions<DPoPClientCredentialsTokenOptions>
{
    private readonly DPoPClientCredentialsTokenOptionsAttributes _attributes = new();

    public ValidateOptionsResult Validate(string? name, DPoPClientCredentialsTokenOptions options)
    {
        if (!string.Equals(name, clientName, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip; // another client's, checked by its own instance
        }

        var problems = GeneratedOptionsRules.Problems(_attributes.Validate(name, options)).ToList();
        foreach (var (parameter, value) in options.Parameters)
        {
            if (DPoPTokenRequestParameters.Problem(parameter, value) is { } problem)
            {
                problems.Add($"Parameters: {problem}");
            }
        }

        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => $"HttpClient '{clientName}' (AddDPoPClientCredentialsToken(\"{scheme}\")): {p}"));
    }
}
