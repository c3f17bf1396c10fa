using DPoP.Http.Internal;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Checks at start-up that a DPoP scheme's OpenID Connect options leave room for DPoP (code flow, PKCE, no
/// userinfo call with a Bearer header, events the package can hook); every message names the scheme and the property.
/// </summary>
internal sealed class OpenIdConnectDPoPOptionsValidator(DPoPSchemeRegistry registry, IOptionsMonitor<DPoPOpenIdConnectOptions> dpopOptions)
    : IValidateOptions<OpenIdConnectOptions>
{
    public ValidateOptionsResult Validate(string? name, OpenIdConnectOptions options)
    {
        if (name is null || !registry.Contains(name))
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        void Fail(string property, string rule) => failures.Add($"OpenID Connect scheme '{name}' (DPoP): {property} {rule}");

        if (string.IsNullOrEmpty(options.ClientId))
        {
            Fail(nameof(options.ClientId), "is required (is AddOpenIdConnect(\"" + name + "\", …) registered?).");
        }

        if (!string.Equals(options.ResponseType, OpenIdConnectResponseType.Code, StringComparison.Ordinal))
        {
            Fail(nameof(options.ResponseType), $"must be \"code\": DPoP binds the tokens at the code exchange (it is \"{options.ResponseType}\").");
        }

        if (!options.UsePkce)
        {
            Fail(nameof(options.UsePkce), "must stay true: DPoP does not replace PKCE.");
        }

        if (options.GetClaimsFromUserInfoEndpoint)
        {
            Fail(nameof(options.GetClaimsFromUserInfoEndpoint), "must be false: the handler would send the DPoP-bound access token as Bearer to the userinfo endpoint, which must refuse it. Read claims from the ID token, or call userinfo through an HttpClient with AddDPoP().AddDPoPUserAccessToken().");
        }

        if (options.EventsType is not null)
        {
            Fail(nameof(options.EventsType), "must be null: DPoP hooks the scheme's Events instance, which an EventsType would replace. Set handlers on Events instead.");
        }

        DPoPOpenIdConnectOptions dpop;
        try
        {
            dpop = dpopOptions.Get(name);
        }
        catch (OptionsValidationException)
        {
            // Reported by the DPoP options' own validation; say it once.
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        var method = SchemeEndpoints.ClientAuthentication(options, dpop);
        if (method is DPoPClientAuthenticationMethod.ClientSecretBasic or DPoPClientAuthenticationMethod.ClientSecretPost && string.IsNullOrEmpty(options.ClientSecret))
        {
            Fail(nameof(options.ClientSecret), $"is required for DPoPOpenIdConnectOptions.ClientAuthentication = {method}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Checks each DPoP scheme's <see cref="DPoPOpenIdConnectOptions"/> at start-up; every message names the scheme and the
/// property. The ranges are attributes checked by generated code (<see cref="DPoPOpenIdConnectOptionsAttributes"/>);
/// written here are the key rules and those across properties.
/// </summary>
internal sealed class DPoPOpenIdConnectOptionsValidator(DPoPSchemeRegistry registry) : IValidateOptions<DPoPOpenIdConnectOptions>
{
    private readonly DPoPOpenIdConnectOptionsAttributes _attributes = new();

    public ValidateOptionsResult Validate(string? name, DPoPOpenIdConnectOptions options)
    {
        if (name is null || !registry.Contains(name))
        {
            return ValidateOptionsResult.Skip;
        }

        var failures = new List<string>();
        void Add(string problem) => failures.Add($"DPoP options of OpenID Connect scheme '{name}': {problem}");
        void Fail(string property, string rule) => Add($"{property} {rule}");

        if (!DPoPAlgorithms.IsSupported(options.Algorithm))
        {
            Fail(nameof(options.Algorithm), $"is not a supported algorithm (supported: {string.Join(", ", DPoPAlgorithms.Supported)}).");
        }

        var hasKey = !string.IsNullOrEmpty(options.PrivateKey);
        var hasKeyPath = !string.IsNullOrEmpty(options.PrivateKeyPath);
        if (hasKey && hasKeyPath)
        {
            Fail(nameof(options.PrivateKey), $"and {nameof(options.PrivateKeyPath)} are both set; configure one key source.");
        }

        if ((hasKey || hasKeyPath) && options.KeyPerSession)
        {
            Fail(nameof(options.KeyPerSession), $"is true, so the configured {(hasKey ? nameof(options.PrivateKey) : nameof(options.PrivateKeyPath))} would be ignored; set KeyPerSession = false for one app-wide key.");
        }

        if (hasKeyPath && !File.Exists(options.PrivateKeyPath))
        {
            Fail(nameof(options.PrivateKeyPath), $"names a file that does not exist ('{options.PrivateKeyPath}').");
        }
        else if (hasKey != hasKeyPath &&
            DPoPKeyText.Problem(options.PrivateKey, options.PrivateKeyPath, algorithm: null, nameof(options.PrivateKey), nameof(options.PrivateKeyPath)) is { } keyProblem)
        {
            // The key is parsed as SessionKeys will parse it, so that a bad one stops start-up rather than a sign-in.
            Add(keyProblem);
        }

        if (options.KeyName is not null && string.IsNullOrWhiteSpace(options.KeyName))
        {
            Fail(nameof(options.KeyName), "must not be empty or whitespace; leave it null to use the scheme's name.");
        }

        if (options.ClientAuthentication == DPoPClientAuthenticationMethod.PrivateKeyJwt)
        {
            if (string.IsNullOrEmpty(options.ClientAssertionKey) == string.IsNullOrEmpty(options.ClientAssertionKeyPath))
            {
                Fail(nameof(options.ClientAuthentication), $"is PrivateKeyJwt, which needs exactly one of {nameof(options.ClientAssertionKey)} and {nameof(options.ClientAssertionKeyPath)}.");
            }
            else if (DPoPKeyText.Problem(options.ClientAssertionKey, options.ClientAssertionKeyPath, algorithm: null, nameof(options.ClientAssertionKey), nameof(options.ClientAssertionKeyPath)) is { } assertionKeyProblem)
            {
                Add(assertionKeyProblem);
            }
        }

        foreach (var problem in GeneratedOptionsRules.Problems(_attributes.Validate(name, options)))
        {
            Add(problem);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
