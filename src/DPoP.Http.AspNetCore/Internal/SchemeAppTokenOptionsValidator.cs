using DPoP.Http.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Checks at start-up what <c>AddDPoPClientCredentialsToken(scheme, configure)</c> will ask the token endpoint for, so a
/// reserved name in <see cref="DPoPClientCredentialsTokenOptions.Parameters"/>, a negative <c>RefreshBeforeExpiry</c>
/// and the like fail the app's start with a message naming the client and the property, not its first API call. The
/// ranges are attributes checked by generated code (<see cref="DPoPClientCredentialsTokenOptionsAttributes"/>); the
/// parameter names by the token client's own rule. What comes from the scheme is checked with the scheme's options.
/// The core token customizations (<c>AddDPoPTokenPartition</c>, <c>AddDPoPTokenRequestHook</c>,
/// <c>AddDPoPClientAssertionProvider</c>) configure <see cref="DPoPTokenClientOptions"/>, which this token source never
/// reads: they are refused rather than silently ignored.
/// </summary>
/// <param name="clientName">The API client's name.</param>
/// <param name="scheme">The OpenID Connect scheme the tokens come through.</param>
/// <param name="coreCustomizations">Reads what the core customizations set for the client (see <see cref="CoreCustomizations"/>).</param>
internal sealed class SchemeAppTokenOptionsValidator(string clientName, string scheme, Func<DPoPTokenClientOptions> coreCustomizations) : IValidateOptions<DPoPClientCredentialsTokenOptions>
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

        var core = coreCustomizations();
        AddIfSet(problems, core.Partition, "AddDPoPTokenPartition()");
        AddIfSet(problems, core.OnTokenRequest, "AddDPoPTokenRequestHook()");
        AddIfSet(problems, core.ClientAssertionProvider, "AddDPoPClientAssertionProvider()");
        return problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problems.Select(p => $"HttpClient '{clientName}' (AddDPoPClientCredentialsToken(\"{scheme}\")): {p}"));
    }

    /// <summary>
    /// The client's <see cref="DPoPTokenClientOptions"/> as configured, built by the options factory without the
    /// validators (which demand a token endpoint this client does not have).
    /// </summary>
    public static DPoPTokenClientOptions CoreCustomizations(IServiceProvider services, string clientName) =>
        new OptionsFactory<DPoPTokenClientOptions>(
            services.GetServices<IConfigureOptions<DPoPTokenClientOptions>>(),
            services.GetServices<IPostConfigureOptions<DPoPTokenClientOptions>>()).Create(clientName);

    private static void AddIfSet(List<string> problems, object? customization, string method)
    {
        if (customization is not null)
        {
            problems.Add($"{method} does not apply to app tokens through an OpenID Connect scheme (one token per client, requested with the scheme's credentials); remove it, or use AddDPoPClientCredentialsToken(configure) with the token endpoint, which honours it.");
        }
    }
}
