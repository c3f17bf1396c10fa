using DPoP.Http.Internal;
using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Checks at start-up what <c>AddDPoPClientCredentialsToken(scheme, configure)</c> will ask the token endpoint for, so a
/// reserved name in <see cref="DPoPTokenClientOptions.Parameters"/>, a negative <c>RefreshBeforeExpiry</c> and the like
/// fail the app's start with a message naming the client and the property, not its first API call. The options are
/// built as a renewal builds them (the scheme's client, <paramref name="configure"/> applied), against a stand-in for
/// the token endpoint, which only discovery will tell, and checked by the token client's own rules.
/// </summary>
internal sealed class SchemeAppTokenOptionsValidator(
    string clientName,
    string scheme,
    Action<DPoPTokenClientOptions>? configure,
    SchemeEndpoints endpoints,
    DPoPSchemeRegistry registry) : IValidateOptions<DPoPClientOptions>
{
    private static readonly Uri StandInTokenEndpoint = new("https://token-endpoint.invalid/");

    public ValidateOptionsResult Validate(string? name, DPoPClientOptions options)
    {
        if (!string.Equals(name, clientName, StringComparison.Ordinal) || !registry.Contains(scheme))
        {
            return ValidateOptionsResult.Skip; // another client, or a scheme without DPoP (reported on its own)
        }

        DPoPTokenClientOptions tokenOptions;
        try
        {
            tokenOptions = endpoints.CreateTokenClientOptions(scheme, StandInTokenEndpoint);
        }
        catch (OptionsValidationException)
        {
            return ValidateOptionsResult.Skip; // the scheme's own options are wrong, and their validation says how
        }

        configure?.Invoke(tokenOptions);

        // The token client's own rules (DPoP.Http's internals are ours to use); their messages name the property and never quote a secret or key.
        var problems = DPoPTokenClientOptionsRules.Check(tokenOptions);
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"HttpClient '{clientName}' (AddDPoPClientCredentialsToken(\"{scheme}\")): the token client options are not usable: {string.Join(" ", problems)}");
    }
}
