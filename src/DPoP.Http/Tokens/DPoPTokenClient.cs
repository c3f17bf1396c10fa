using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace DPoP.Http;

/// <summary>
/// Requests DPoP-bound tokens from a token endpoint (RFC 9449 §5): client credentials, refresh tokens,
/// authorization codes and token exchange (RFC 8693). The <see cref="HttpClient"/> it is given must carry DPoP (<c>AddDPoP()</c> or a
/// <see cref="DPoPDelegatingHandler"/>) with the key the tokens are to be bound to; that handler adds the proof and
/// answers the endpoint's <c>use_dpop_nonce</c> challenge.
/// </summary>
/// <remarks>
/// <para>
/// A refresh token issued to a public client is bound to the DPoP key: refresh it through a client with the same key,
/// which must therefore outlive the process (configure it; do not generate it per run).
/// </para>
/// <para>
/// Responses are read defensively: at most 1 MiB of body; <c>access_token</c> and <c>token_type</c> must be strings,
/// and <c>refresh_token</c>, <c>scope</c> and <c>expires_in</c>, when present and not null, must have their JSON type
/// (<c>expires_in</c> may also be a string holding a number); anything else fails with a
/// <see cref="DPoPTokenException"/> (<see cref="DPoPTokenException.Error"/> <c>invalid_token_response</c>) naming the
/// field. <c>expires_in</c> above 365 days (including <c>1e400</c> and <c>"Infinity"</c>) counts as 365 days; zero,
/// negative and <c>NaN</c> count as absent (<see cref="DPoPTokenClientOptions.DefaultTokenLifetime"/>). A member
/// whose name is no Unicode text (an escaped lone surrogate) is skipped like any unknown member. A body whose read
/// breaks off throws <see cref="HttpRequestException"/> with the IO failure inside.
/// </para>
/// </remarks>
public sealed class DPoPTokenClient
{
    private const string TokenExchangeGrantType = "urn:ietf:params:oauth:grant-type:token-exchange";

    private readonly DPoPTokenClientOptions _options;
    private readonly DPoPTokenEndpoint _endpoint;
    private DPoPTokenTelemetry? _telemetry;

    /// <summary>Creates a token client.</summary>
    /// <param name="httpClient">An HttpClient with DPoP enabled, signing with the key tokens are bound to.</param>
    /// <param name="options">Token endpoint and client credentials.</param>
    /// <param name="timeProvider">The clock for expiry times and client assertions; the system clock when null.</param>
    /// <param name="clientAssertionProvider">
    /// For <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>: signs the client assertions (a key vault, an HSM)
    /// instead of a key configured in <paramref name="options"/>; called for every token request, nonce retries included.
    /// </param>
    /// <param name="onTokenRequest">
    /// Sees every token request of every grant before it is sent, and may set its scope, resources, audience and extra
    /// parameters (<see cref="DPoPTokenRequestContext"/>); called once per request, not again for a nonce retry.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="httpClient"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are incomplete (no token endpoint, no client id, no secret or key for the chosen method), name both a key and a client assertion provider, or have a reserved name in <see cref="DPoPTokenClientOptions.Parameters"/>.</exception>
    public DPoPTokenClient(
        HttpClient httpClient,
        DPoPTokenClientOptions options,
        TimeProvider? timeProvider = null,
        IDPoPClientAssertionProvider? clientAssertionProvider = null,
        Func<DPoPTokenRequestContext, CancellationToken, ValueTask>? onTokenRequest = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        clientAssertionProvider ??= options.ClientAssertionProvider;
        var problems = DPoPTokenClientOptionsRules.Check(options, clientAssertionProvider is not null);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"The token client options are not usable: {string.Join(" ", problems)}", nameof(options));
        }

        _options = options;
        timeProvider ??= TimeProvider.System;
        var assertions = options.ClientAuthentication == DPoPClientAuthenticationMethod.PrivateKeyJwt
            ? clientAssertionProvider ?? new PrivateKeyJwtAssertionProvider(options, timeProvider)
            : null;
        _endpoint = new DPoPTokenEndpoint(httpClient, options, timeProvider, assertions, onTokenRequest ?? options.OnTokenRequest, () => Telemetry);
    }

    /// <summary>
    /// The name this client reports in traces and metrics (tag <c>dpop.client</c>) and logs; the DI registrations set it
    /// to the HttpClient's name. Without it, spans and measurements carry no <c>dpop.client</c> tag and logs name the
    /// OAuth client id. Set it (with <see cref="LoggerFactory"/> and <see cref="MeterFactory"/>) when creating a client
    /// without DI.
    /// </summary>
    public string? Name { get; init; }

    /// <summary>
    /// DPoP.Http.AspNetCore: the OpenID Connect scheme whose session this client serves (tag <c>dpop.scheme</c>, the
    /// name in logs; no <c>dpop.client</c>: it is no API client's).
    /// </summary>
    internal string? Scheme { get; init; }

    /// <summary>
    /// DPoP.Http.AspNetCore: the session's key, which every request of this client (code exchange, refresh, revocation)
    /// carries to the scheme's token endpoint client, whose handler signs with it (its nonce retry and redirects too).
    /// </summary>
    internal DPoPKey? RequestKey { get => _endpoint.RequestKey; init => _endpoint.RequestKey = value; }

    /// <summary>Where the client logs its token requests (category <c>DPoP.Http.DPoPTokenClient</c>, events 110–114); no logging when null.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The factory of the <c>DPoP.Http</c> meter its token request metrics go to; a process-wide meter when null.</summary>
    public IMeterFactory? MeterFactory { get; init; }

    /// <summary>Requests a token with the client credentials grant (RFC 6749 §4.4), with the configured scope, resources and audience.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token response.</returns>
    /// <exception cref="ArgumentException">The token request hook set a reserved parameter.</exception>
    /// <exception cref="DPoPTokenException">The server answered with an error, with a malformed response, or with a token that is not DPoP-bound (unless allowed).</exception>
    /// <exception cref="HttpRequestException">The server could not be reached, or the connection failed while its answer was read.</exception>
    /// <exception cref="InvalidOperationException">With <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>, the client assertion provider returned no assertion.</exception>
    public Task<DPoPTokenResponse> RequestClientCredentialsTokenAsync(CancellationToken cancellationToken = default) =>
        RequestClientCredentialsTokenAsync(null, cancellationToken);

    /// <summary>Requests a token with the client credentials grant (RFC 6749 §4.4), with the configured scope, resources and audience and extra form parameters for this call.</summary>
    /// <param name="parameters">Form parameters for this request, after (and overriding) <see cref="DPoPTokenClientOptions.Parameters"/>; null for none.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token response.</returns>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> (or the token request hook) has a reserved name (<c>grant_type</c>, <c>client_assertion</c>, <c>scope</c>, …), an empty name or a null value.</exception>
    /// <exception cref="DPoPTokenException">The server answered with an error, with a malformed response, or with a token that is not DPoP-bound (unless allowed).</exception>
    /// <exception cref="HttpRequestException">The server could not be reached, or the connection failed while its answer was read.</exception>
    /// <exception cref="InvalidOperationException">With <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>, the client assertion provider returned no assertion.</exception>
    public Task<DPoPTokenResponse> RequestClientCredentialsTokenAsync(IEnumerable<KeyValuePair<string, string>>? parameters, CancellationToken cancellationToken = default)
    {
        var context = _endpoint.CreateContext("client_credentials", parameters);
        context.Scope = _options.Scope;
        context.Audience = _options.Audience;
        foreach (var resource in _options.Resources)
        {
            context.Resources.Add(resource);
        }

        return _endpoint.SendAsync(context, [], cancellationToken);
    }

    /// <summary>Refreshes a token (RFC 6749 §6) through the DPoP client, so the new token is bound to the same key.</summary>
    /// <param name="refreshToken">The refresh token.</param>
    /// <param name="scope">A narrower scope, or null for the original one.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token response, often with a new refresh token.</returns>
    /// <exception cref="ArgumentException"><paramref name="refreshToken"/> is null or empty, or the token request hook set a reserved parameter.</exception>
    /// <exception cref="DPoPTokenException">The server answered with an error (<c>invalid_grant</c> when the key does not match), with a malformed response, or with an unbound token.</exception>
    /// <exception cref="HttpRequestException">The server could not be reached, or the connection failed while its answer was read.</exception>
    /// <exception cref="InvalidOperationException">With <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>, the client assertion provider returned no assertion.</exception>
    public Task<DPoPTokenResponse> RefreshTokenAsync(string refreshToken, string? scope = null, CancellationToken cancellationToken = default) =>
        RefreshTokenAsync(refreshToken, scope, null, cancellationToken);

    /// <summary>Refreshes a token (RFC 6749 §6) through the DPoP client, with extra form parameters for this call.</summary>
    /// <param name="refreshToken">The refresh token.</param>
    /// <param name="scope">A narrower scope, or null for the original one.</param>
    /// <param name="parameters">Form parameters for this request, after (and overriding) <see cref="DPoPTokenClientOptions.Parameters"/>; null for none.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token response, often with a new refresh token.</returns>
    /// <exception cref="ArgumentException"><paramref name="refreshToken"/> is null or empty, or <paramref name="parameters"/> (or the token request hook) has a reserved name, an empty name or a null value.</exception>
    /// <exception cref="DPoPTokenException">The server answered with an error (<c>invalid_grant</c> when the key does not match), with a malformed response, or with an unbound token.</exception>
    /// <exception cref="HttpRequestException">The server could not be reached, or the connection failed while its answer was read.</exception>
    /// <exception cref="InvalidOperationException">With <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>, the client assertion provider returned no assertion.</exception>
    public Task<DPoPTokenResponse> RefreshTokenAsync(string refreshToken, string? scope, IEnumerable<KeyValuePair<string, string>>? parameters, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(refreshToken);
        var context = _endpoint.CreateContext("refresh_token", parameters);
        context.Scope = scope;
        return _endpoint.SendAsync(context, [new("refresh_token", refreshToken)], cancellationToken);
    }

    /// <summary>Refreshes a token for the given resources (RFC 8707; DPoP.Http.AspNetCore's per-resource user tokens).</summary>
    internal Task<DPoPTokenResponse> RefreshTokenForResourcesAsync(string refreshToken, string? scope, IReadOnlyList<string> resources, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(refreshToken);
        var context = _endpoint.CreateContext("refresh_token", null);
        context.Scope = scope;
        foreach (var resource in resources)
        {
            context.Resources.Add(resource);
        }

        return _endpoint.SendAsync(context, [new("refresh_token", refreshToken)], cancellationToken);
    }

    /// <summary>
    /// Exchanges an authorization code (RFC 6749 §4.1.3) for a DPoP-bound token. Send <see cref="DPoPKey.JwkThumbprint"/>
    /// as <c>dpop_jkt</c> in the authorization request (see <see cref="DPoPAuthorizationRequests"/>) to bind the code too.
    /// </summary>
    /// <param name="code">The authorization code.</param>
    /// <param name="redirectUri">The redirect URI used in the authorization request.</param>
    /// <param name="codeVerifier">The PKCE code verifier, if PKCE was used.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token response.</returns>
    /// <exception cref="ArgumentException"><paramref name="code"/> is null or empty, or the token request hook set a reserved parameter.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="redirectUri"/> is null.</exception>
    /// <exception cref="DPoPTokenException">The server answered with an error, with a malformed response, or with an unbound token.</exception>
    /// <exception cref="HttpRequestException">The server could not be reached, or the connection failed while its answer was read.</exception>
    /// <exception cref="InvalidOperationException">With <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>, the client assertion provider returned no assertion.</exception>
    public Task<DPoPTokenResponse> ExchangeAuthorizationCodeAsync(string code, Uri redirectUri, string? codeVerifier = null, CancellationToken cancellationToken = default) =>
        ExchangeAuthorizationCodeAsync(code, redirectUri, codeVerifier, null, cancellationToken);

    /// <summary>Exchanges an authorization code (RFC 6749 §4.1.3) for a DPoP-bound token, with extra form parameters for this call.</summary>
    /// <param name="code">The authorization code.</param>
    /// <param name="redirectUri">The redirect URI used in the authorization request.</param>
    /// <param name="codeVerifier">The PKCE code verifier, if PKCE was used.</param>
    /// <param name="parameters">Form parameters for this request, after (and overriding) <see cref="DPoPTokenClientOptions.Parameters"/>; null for none.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token response.</returns>
    /// <exception cref="ArgumentException"><paramref name="code"/> is null or empty, or <paramref name="parameters"/> (or the token request hook) has a reserved name, an empty name or a null value.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="redirectUri"/> is null.</exception>
    /// <exception cref="DPoPTokenException">The server answered with an error, with a malformed response, or with an unbound token.</exception>
    /// <exception cref="HttpRequestException">The server could not be reached, or the connection failed while its answer was read.</exception>
    /// <exception cref="InvalidOperationException">With <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>, the client assertion provider returned no assertion.</exception>
    public Task<DPoPTokenResponse> ExchangeAuthorizationCodeAsync(string code, Uri redirectUri, string? codeVerifier, IEnumerable<KeyValuePair<string, string>>? parameters, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        ArgumentNullException.ThrowIfNull(redirectUri);
        var context = _endpoint.CreateContext("authorization_code", parameters);
        List<KeyValuePair<string, string>> grant = [new("code", code), new("redirect_uri", redirectUri.OriginalString)];
        if (!string.IsNullOrEmpty(codeVerifier))
        {
            grant.Add(new("code_verifier", codeVerifier));
        }

        return _endpoint.SendAsync(context, grant, cancellationToken);
    }

    /// <summary>
    /// Exchanges a token (RFC 8693) for one for another audience, through the DPoP client, so the new token is bound to
    /// this client's DPoP key: an API calling a downstream API on behalf of its caller.
    /// </summary>
    /// <param name="request">The subject token (and actor token), and what to ask for.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token response; a DPoP-bound access token unless <see cref="DPoPTokenClientOptions.AllowBearerTokens"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    /// <exception cref="ArgumentException">The request has no subject token or type, an actor token without its type (or the reverse), or a reserved name in its parameters; or the token request hook set a reserved parameter.</exception>
    /// <exception cref="DPoPTokenException">The server answered with an error (<c>invalid_grant</c>, <c>invalid_target</c>, …), with a malformed response, or with an unbound token.</exception>
    /// <exception cref="HttpRequestException">The server could not be reached, or the connection failed while its answer was read.</exception>
    /// <exception cref="InvalidOperationException">With <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>, the client assertion provider returned no assertion.</exception>
    public Task<DPoPTokenResponse> ExchangeTokenAsync(DPoPTokenExchangeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrEmpty(request.SubjectToken) || string.IsNullOrEmpty(request.SubjectTokenType))
        {
            throw new ArgumentException("A token exchange needs SubjectToken and SubjectTokenType.", nameof(request));
        }

        // RFC 8693 §2.1: actor_token_type is required with actor_token and must not be sent without it.
        if (string.IsNullOrEmpty(request.ActorToken) != string.IsNullOrEmpty(request.ActorTokenType))
        {
            throw new ArgumentException("ActorToken and ActorTokenType go together: set both or neither.", nameof(request));
        }

        var context = _endpoint.CreateContext(TokenExchangeGrantType, request.Parameters);
        context.Scope = request.Scope;
        context.Audience = request.Audience;
        foreach (var resource in request.Resources)
        {
            context.Resources.Add(resource);
        }

        List<KeyValuePair<string, string>> grant = [new("subject_token", request.SubjectToken), new("subject_token_type", request.SubjectTokenType)];
        if (!string.IsNullOrEmpty(request.ActorToken))
        {
            grant.Add(new("actor_token", request.ActorToken));
            grant.Add(new("actor_token_type", request.ActorTokenType!));
        }

        if (!string.IsNullOrEmpty(request.RequestedTokenType))
        {
            grant.Add(new("requested_token_type", request.RequestedTokenType));
        }

        return _endpoint.SendAsync(context, grant, cancellationToken);
    }

    /// <summary>
    /// Revokes a token (RFC 7009) at <see cref="DPoPTokenClientOptions.RevocationEndpoint"/>, the client authenticated as
    /// for token requests (a new client assertion with <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>, whose
    /// <see cref="DPoPClientAssertionContext.GrantType"/> is <c>revocation</c>), through the DPoP client.
    /// </summary>
    /// <param name="token">The token to revoke (a refresh token revokes its access tokens too, at most servers).</param>
    /// <param name="tokenTypeHint"><c>refresh_token</c> or <c>access_token</c>, or null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the server has answered with success (RFC 7009 §2.2: also for an unknown or already revoked token); the body of a success is not read.</returns>
    /// <exception cref="ArgumentException"><paramref name="token"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">No <see cref="DPoPTokenClientOptions.RevocationEndpoint"/> is set, or, with <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>, the client assertion provider returned no assertion.</exception>
    /// <exception cref="DPoPTokenException">The server answered with an error (<c>unsupported_token_type</c>, <c>invalid_client</c>, …).</exception>
    /// <exception cref="HttpRequestException">The server could not be reached, or the connection failed while its error answer was read.</exception>
    public async Task RevokeTokenAsync(string token, string? tokenTypeHint = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        var endpoint = _options.RevocationEndpoint
            ?? throw new InvalidOperationException($"Token client '{_options.ClientId}' has no RevocationEndpoint.");
        List<KeyValuePair<string, string>> form = [new("token", token)];
        if (!string.IsNullOrEmpty(tokenTypeHint))
        {
            form.Add(new("token_type_hint", tokenTypeHint));
        }

        await _endpoint.RevokeAsync(endpoint, form, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Built on first use, once the init-only properties are set.</summary>
    private DPoPTokenTelemetry Telemetry => _telemetry ??= DPoPTokenTelemetry.Create(Name, _options.ClientId, LoggerFactory, MeterFactory, Scheme);
}
