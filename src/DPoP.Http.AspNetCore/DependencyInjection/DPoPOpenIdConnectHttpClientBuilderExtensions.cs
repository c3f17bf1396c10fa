using DPoP.Http;
using DPoP.Http.AspNetCore;
using DPoP.Http.AspNetCore.Internal;
using DPoP.Http.Internal;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Binds the signed-in user's DPoP-bound tokens to HttpClients built by IHttpClientFactory.</summary>
public static class DPoPOpenIdConnectHttpClientBuilderExtensions
{
    /// <summary>
    /// Sends the signed-in user's access token (from the sign-in of <paramref name="openIdConnectScheme"/>, see
    /// <c>AddDPoPOpenIdConnect()</c>) on every request of this client, with proofs signed by that user's session key:
    /// refreshed shortly before it expires (one refresh per session however many requests need it), refreshed once
    /// more when the API answers <c>invalid_token</c>. Use the client while handling the user's request, or anywhere
    /// inside a <see cref="DPoPUserScope"/> naming the user (a Blazor Server circuit, background work). When the
    /// session can no longer get a token, requests throw <see cref="DPoPSessionExpiredException"/>: challenge the
    /// scheme to sign the user in again. Needs <c>AddDPoP()</c> on the same client.
    /// </summary>
    /// <param name="builder">The HttpClient builder (after <c>AddDPoP()</c>).</param>
    /// <param name="openIdConnectScheme">The OpenID Connect scheme the user signed in with.</param>
    /// <param name="configure">
    /// Optional: a <see cref="DPoPUserAccessTokenOptions.Resource"/> (RFC 8707) and/or <see cref="DPoPUserAccessTokenOptions.Scope"/>
    /// to send the user's token for instead of the sign-in's: obtained with the session's refresh token, kept in the
    /// session beside the sign-in's token and refreshed on its own; a session's refreshes, for any resource, run one
    /// at a time (a rotated refresh token is never sent twice). The provider must have granted the resource at
    /// sign-in. Checked at start-up: <c>Resource</c> must be an absolute URI without a fragment.
    /// </param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="openIdConnectScheme"/> is null or empty.</exception>
    public static IHttpClientBuilder AddDPoPUserAccessToken(this IHttpClientBuilder builder, string openIdConnectScheme = OpenIdConnectDefaults.AuthenticationScheme, Action<DPoPUserAccessTokenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(openIdConnectScheme);
        var name = builder.Name;
        var services = builder.Services;
        services.AddDPoPWebCore();
        services.AddOptions<DPoPUserAccessTokenOptions>(name)
            .Configure(o => configure?.Invoke(o))
            .Validate(
                o => o.Resource is null || (Uri.TryCreate(o.Resource, UriKind.Absolute, out var uri) && string.IsNullOrEmpty(uri.Fragment)),
                $"HttpClient '{name}': DPoPUserAccessTokenOptions.Resource must be an absolute URI without a fragment (RFC 8707 §2).")
            .ValidateOnStart();
        services.AddKeyedSingleton<IDPoPKeyProvider>(name, (sp, _) =>
            new UserSessionKeyProvider(sp.GetRequiredService<UserSessions>(), openIdConnectScheme, name));
        services.AddKeyedSingleton<IDPoPAccessTokenProvider>(name, (sp, _) =>
            new UserAccessTokenProvider(sp.GetRequiredService<UserSessions>(), openIdConnectScheme, name,
                TokenTarget.From(sp.GetRequiredService<IOptionsMonitor<DPoPUserAccessTokenOptions>>().Get(name))));
        services.AddOptions<DPoPClientOptions>(name)
            .Validate<DPoPSchemeRegistry>(
                (_, registry) => registry.Contains(openIdConnectScheme),
                $"HttpClient '{name}' calls AddDPoPUserAccessToken(\"{openIdConnectScheme}\"), but services.AddDPoPOpenIdConnect(\"{openIdConnectScheme}\") was not called: the scheme's sign-in is not DPoP-enabled.")
            .ValidateOnStart();
        return builder;
    }

    /// <summary>
    /// Gets this client's app tokens (not a user's) with the client credentials grant, reusing the OpenID Connect
    /// scheme <paramref name="openIdConnectScheme"/>'s client id, secret and token endpoint (from its discovery
    /// document), so one registration serves sign-in and app calls. The tokens are bound to this client's DPoP key
    /// (the token request is signed with it: its <c>AddDPoPKeyProvider&lt;T&gt;()</c>, or the same <c>KeyName</c>,
    /// <c>Algorithm</c> and configured key), cached until
    /// shortly before they expire, requested once however many callers wait, renewed once when the API answers
    /// <c>invalid_token</c>. Needs <c>AddDPoP()</c> on the same client and <c>AddDPoPOpenIdConnect(openIdConnectScheme)</c>.
    /// </summary>
    /// <param name="builder">The HttpClient builder (after <c>AddDPoP()</c>).</param>
    /// <param name="openIdConnectScheme">The OpenID Connect scheme whose client and endpoints to use.</param>
    /// <param name="configure">
    /// Sets what to ask for (<see cref="DPoPClientCredentialsTokenOptions.Scope"/>, <c>Resources</c>, <c>Audience</c>,
    /// <c>Parameters</c>) and the renewal window; the endpoint and credentials come from the scheme. Named options of
    /// the HttpClient's name, so <c>services.Configure&lt;DPoPClientCredentialsTokenOptions&gt;(name, …)</c> and
    /// configuration binding work too.
    /// </param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="openIdConnectScheme"/> is null or empty.</exception>
    /// <remarks>
    /// The options are checked at start-up (<c>ValidateOnStart</c>): a reserved name in
    /// <see cref="DPoPClientCredentialsTokenOptions.Parameters"/>, a negative <c>RefreshBeforeExpiry</c> and the like fail
    /// with an <see cref="OptionsValidationException"/> naming the client and the property. So do the core token
    /// customizations on the same client (<c>AddDPoPTokenPartition()</c>, <c>AddDPoPTokenRequestHook()</c>,
    /// <c>AddDPoPClientAssertionProvider&lt;T&gt;()</c>), which this token source does not honour: one token per client,
    /// requested with the scheme's credentials.
    /// </remarks>
    public static IHttpClientBuilder AddDPoPClientCredentialsToken(this IHttpClientBuilder builder, string openIdConnectScheme, Action<DPoPClientCredentialsTokenOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(openIdConnectScheme);
        var name = builder.Name;
        var tokenClientName = $"{name}.DPoP.Http.AspNetCore.client-credentials";
        var services = builder.Services;
        var registry = services.AddDPoPWebCore();

        // The token endpoint client is built with its API client's options and key (core's DPoPHandlerFactory), so the
        // token's cnf.jkt matches the API client's proofs.
        services.AddTokenEndpointClient(registry, openIdConnectScheme, tokenClientName, apiClientName: name);
        var tokenOptions = services.AddOptions<DPoPClientCredentialsTokenOptions>(name);
        if (configure is not null)
        {
            tokenOptions.Configure(configure);
        }

        tokenOptions.ValidateOnStart();
        services.AddSingleton<IValidateOptions<DPoPClientCredentialsTokenOptions>>(sp =>
            new SchemeAppTokenOptionsValidator(name, openIdConnectScheme, () => SchemeAppTokenOptionsValidator.CoreCustomizations(sp, name)));
        services.AddKeyedSingleton<IDPoPAccessTokenProvider>(name, (sp, _) => SchemeAppTokens.Create(
            sp.GetRequiredService<SchemeEndpoints>(), sp.GetRequiredService<IHttpClientFactory>(), openIdConnectScheme, tokenClientName,
            sp.GetRequiredService<IOptionsMonitor<DPoPClientCredentialsTokenOptions>>().Get(name),
            name, sp.GetRequiredService<DPoPHandlerFactory>().KeySource(name), // the API client's key, which its token requests are signed with
            sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>(), sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddOptions<DPoPClientOptions>(name)
            .Validate<DPoPSchemeRegistry>(
                (_, registry) => registry.Contains(openIdConnectScheme),
                $"HttpClient '{name}' calls AddDPoPClientCredentialsToken(\"{openIdConnectScheme}\"), but services.AddDPoPOpenIdConnect(\"{openIdConnectScheme}\") was not called.")
            .ValidateOnStart();
        return builder;
    }
}
