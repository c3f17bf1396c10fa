using System.Net;
using System.Net.Http.Headers;
using System.Text;

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
/// negative and <c>NaN</c> count as absent (<see cref="DPoPTokenClientOptions.DefaultTokenLifetime"/>).
/// </para>
/// </remarks>
public sealed class DPoPTokenClient
{
    private const string TokenExchangeGrantType = "urn:ietf:params:oauth:grant-type:token-exchange";

    private readonly HttpClient _httpClient;
    private readonly DPoPTokenClientOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly IDPoPClientAssertionProvider? _assertionProvider;
    private readonly Func<DPoPTokenRequestContext, CancellationToken, ValueTask>? _onTokenRequest;

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

        _httpClient = httpClient;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _onTokenRequest = onTokenRequest ?? options.OnTokenRequest;
        if (options.ClientAuthentication == DPoPClientAuthenticationMethod.PrivateKeyJwt)
        {
            _assertionProvider = clientAssertionProvider ?? new PrivateKeyJwtAssertionProvider(options, _timeProvider);
        }
    }

    /// <summary>Requests a token with the client credentials grant (RFC 6749 §4.4), with the configured scope, resources and audience.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token response.</returns>
    /// <exception cref="ArgumentException">The token request hook set a reserved parameter.</exception>
    /// <exception cref="DPoPTokenException">The server answered with an error, with a malformed response, or with a token that is not DPoP-bound (unless allowed).</exception>
    /// <exception cref="HttpRequestException">The server could not be reached, or the connection failed while its answer was read.</exception>
    public Task<DPoPTokenResponse> RequestClientCredentialsTokenAsync(CancellationToken cancellationToken = default) =>
        RequestClientCredentialsTokenAsync(null, cancellationToken);

    /// <summary>Requests a token with the client credentials grant (RFC 6749 §4.4), with the configured scope, resources and audience and extra form parameters for this call.</summary>
    /// <param name="parameters">Form parameters for this request, after (and overriding) <see cref="DPoPTokenClientOptions.Parameters"/>; null for none.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token response.</returns>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> (or the token request hook) has a reserved name (<c>grant_type</c>, <c>client_assertion</c>, <c>scope</c>, …), an empty name or a null value.</exception>
    /// <exception cref="DPoPTokenException">The server answered with an error, with a malformed response, or with a token that is not DPoP-bound (unless allowed).</exception>
    /// <exception cref="HttpRequestException">The server could not be reached, or the connection failed while its answer was read.</exception>
    public Task<DPoPTokenResponse> RequestClientCredentialsTokenAsync(IEnumerable<KeyValuePair<string, string>>? parameters, CancellationToken cancellationToken = default)
    {
        var context = CreateContext("client_credentials", parameters);
        context.Scope = _options.Scope;
        context.Audience = _options.Audience;
        foreach (var resource in _options.Resources)
        {
            context.Resources.Add(resource);
        }

        return SendAsync(context, [], cancellationToken);
    }

    /// <summary>Refreshes a token (RFC 6749 §6) through the DPoP client, so the new token is bound to the same key.</summary>
    /// <param name="refreshToken">The refresh token.</param>
    /// <param name="scope">A narrower scope, or null for the original one.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token response, often with a new refresh token.</returns>
    /// <exception cref="ArgumentException"><paramref name="refreshToken"/> is null or empty, or the token request hook set a reserved parameter.</exception>
    /// <exception cref="DPoPTokenException">The server answered with an error (<c>invalid_grant</c> when the key does not match), with a malformed response, or with an unbound token.</exception>
    /// <exception cref="HttpRequestException">The server could not be reached, or the connection failed while its answer was read.</exception>
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
    public Task<DPoPTokenResponse> RefreshTokenAsync(string refreshToken, string? scope, IEnumerable<KeyValuePair<string, string>>? parameters, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(refreshToken);
        var context = CreateContext("refresh_token", parameters);
        context.Scope = scope;
        return SendAsync(context, [new("refresh_token", refreshToken)], cancellationToken);
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
    public Task<DPoPTokenResponse> ExchangeAuthorizationCodeAsync(string code, Uri redirectUri, string? codeVerifier, IEnumerable<KeyValuePair<string, string>>? parameters, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        ArgumentNullException.ThrowIfNull(redirectUri);
        var context = CreateContext("authorization_code", parameters);
        List<KeyValuePair<string, string>> grant = [new("code", code), new("redirect_uri", redirectUri.OriginalString)];
        if (!string.IsNullOrEmpty(codeVerifier))
        {
            grant.Add(new("code_verifier", codeVerifier));
        }

        return SendAsync(context, grant, cancellationToken);
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

        var context = CreateContext(TokenExchangeGrantType, request.Parameters);
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

        return SendAsync(context, grant, cancellationToken);
    }

    /// <summary>
    /// Revokes a token (RFC 7009) at <see cref="DPoPTokenClientOptions.RevocationEndpoint"/>, the client authenticated as
    /// for token requests (a new client assertion with <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>, whose
    /// <see cref="DPoPClientAssertionContext.GrantType"/> is <c>revocation</c>), through the DPoP client.
    /// </summary>
    /// <param name="token">The token to revoke (a refresh token revokes its access tokens too, at most servers).</param>
    /// <param name="tokenTypeHint"><c>refresh_token</c> or <c>access_token</c>, or null.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes when the server has answered with success (RFC 7009 §2.2: also for an unknown or already revoked token).</returns>
    /// <exception cref="ArgumentException"><paramref name="token"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">No <see cref="DPoPTokenClientOptions.RevocationEndpoint"/> is set.</exception>
    /// <exception cref="DPoPTokenException">The server answered with an error (<c>unsupported_token_type</c>, <c>invalid_client</c>, …).</exception>
    /// <exception cref="HttpRequestException">The server could not be reached, or the connection failed while its answer was read.</exception>
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

        await PostAsync(endpoint, "revocation", form, cancellationToken).ConfigureAwait(false);
    }

    private DPoPTokenRequestContext CreateContext(string grantType, IEnumerable<KeyValuePair<string, string>>? parameters)
    {
        var context = new DPoPTokenRequestContext(grantType, _options.ClientId!, _options.TokenEndpoint!);
        foreach (var (name, value) in _options.Parameters)
        {
            context.Parameters[name] = value;
        }

        DPoPTokenRequestParameters.AddChecked(context.Parameters, parameters, nameof(parameters));
        return context;
    }

    /// <summary>The form of a request: grant type, the grant's own parameters, then what the hook may have changed.</summary>
    private async ValueTask<List<KeyValuePair<string, string>>> BuildFormAsync(DPoPTokenRequestContext context, List<KeyValuePair<string, string>> grant, CancellationToken cancellationToken)
    {
        if (_onTokenRequest is not null)
        {
            await _onTokenRequest(context, cancellationToken).ConfigureAwait(false);
        }

        var form = new List<KeyValuePair<string, string>> { new("grant_type", context.GrantType) };
        form.AddRange(grant);
        if (!string.IsNullOrEmpty(context.Scope))
        {
            form.Add(new("scope", context.Scope));
        }

        foreach (var resource in context.Resources)
        {
            form.Add(new("resource", resource));
        }

        if (!string.IsNullOrEmpty(context.Audience))
        {
            form.Add(new("audience", context.Audience));
        }

        foreach (var (name, value) in context.Parameters)
        {
            if (DPoPTokenRequestParameters.Problem(name, value) is { } problem)
            {
                throw new ArgumentException($"The token request hook of client '{_options.ClientId}' set a parameter that may not be sent. {problem}", nameof(context));
            }

            form.Add(new(name, value));
        }

        return form;
    }

    private async Task<DPoPTokenResponse> SendAsync(DPoPTokenRequestContext context, List<KeyValuePair<string, string>> grant, CancellationToken cancellationToken)
    {
        var form = await BuildFormAsync(context, grant, cancellationToken).ConfigureAwait(false);
        var (status, body) = await PostAsync(_options.TokenEndpoint!, context.GrantType, form, cancellationToken).ConfigureAwait(false);
        return ParseSuccess(status, body);
    }

    /// <summary>Posts an authenticated form to the token (or revocation) endpoint; returns a success's status and body, throws an error's <see cref="DPoPTokenException"/>.</summary>
    private async Task<(HttpStatusCode Status, byte[] Body)> PostAsync(Uri endpoint, string grantType, List<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        // A client assertion is single-use (RFC 7523 §3: servers such as oidc-provider reject a replayed jti), so the
        // handler must not answer a use_dpop_nonce challenge by resending this body: the token client sends the
        // request once more itself, with a new assertion and the nonce the handler stored from the challenge.
        var singleUseBody = _options.ClientAuthentication == DPoPClientAuthenticationMethod.PrivateKeyJwt;
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
            var attemptForm = new List<KeyValuePair<string, string>>(form);
            await AddClientAuthenticationAsync(request, attemptForm, endpoint, grantType, cancellationToken).ConfigureAwait(false);
            request.Content = new FormUrlEncodedContent(attemptForm);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (singleUseBody)
            {
                request.SetDPoPNonceRetry(false);
            }

            // Headers first, so the body can be read within a bound instead of buffered whole by HttpClient.
            using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            var body = await DPoPTokenResponseReader.ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                throw Fail(response.StatusCode, response.IsSuccessStatusCode ? "invalid_token_response" : null,
                    $"the response body is larger than {DPoPTokenResponseReader.MaxBodyBytes / (1024 * 1024)} MiB");
            }

            if (response.IsSuccessStatusCode)
            {
                return (response.StatusCode, body);
            }

            var error = ParseError(response.StatusCode, body);
            var nonceChallenge = response.StatusCode == HttpStatusCode.BadRequest &&
                string.Equals(error.Error, "use_dpop_nonce", StringComparison.Ordinal) &&
                response.Headers.Contains(DPoPHeaders.Nonce);
            if (!singleUseBody || attempt > 1 || !nonceChallenge)
            {
                throw error;
            }
        }
    }

    private async ValueTask AddClientAuthenticationAsync(HttpRequestMessage request, List<KeyValuePair<string, string>> form, Uri endpoint, string grantType, CancellationToken cancellationToken)
    {
        var clientId = _options.ClientId!;
        switch (_options.ClientAuthentication)
        {
            case DPoPClientAuthenticationMethod.ClientSecretBasic:
                // RFC 6749 §2.3.1: form-urlencode both parts before joining them.
                var credentials = $"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(_options.ClientSecret!)}";
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
                break;
            case DPoPClientAuthenticationMethod.ClientSecretPost:
                form.Add(new("client_id", clientId));
                form.Add(new("client_secret", _options.ClientSecret!));
                break;
            case DPoPClientAuthenticationMethod.PrivateKeyJwt:
                form.Add(new("client_id", clientId));
                form.Add(new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
                // A new assertion for every attempt, the nonce retry included: its jti is single-use.
                var context = new DPoPClientAssertionContext(clientId, _options.ClientAssertionAudience ?? _options.TokenEndpoint!.AbsoluteUri, endpoint, grantType);
                var assertion = await _assertionProvider!.CreateAssertionAsync(context, cancellationToken).ConfigureAwait(false);
                if (string.IsNullOrEmpty(assertion))
                {
                    throw new InvalidOperationException($"The client assertion provider of client '{clientId}' returned no assertion.");
                }

                form.Add(new("client_assertion", assertion));
                break;
            default:
                form.Add(new("client_id", clientId));
                break;
        }
    }

    private DPoPTokenResponse ParseSuccess(HttpStatusCode status, byte[] body)
    {
        var response = DPoPTokenResponseReader.ReadSuccess(body, _timeProvider.GetUtcNow(), _options.DefaultTokenLifetime, out var problem)
            ?? throw Fail(status, "invalid_token_response", problem!);

        // RFC 9449 §5: a Bearer answer means the server did not bind the token to our key.
        if (!response.IsDPoPBound && !(_options.AllowBearerTokens && string.Equals(response.TokenType, "Bearer", StringComparison.OrdinalIgnoreCase)))
        {
            throw Fail(status, "unexpected_token_type",
                $"the server issued a '{Printable(response.TokenType)}' token, not a DPoP-bound one; enable DPoP for this client at the authorization server, or set AllowBearerTokens to accept Bearer tokens");
        }

        return response;
    }

    private DPoPTokenException ParseError(HttpStatusCode status, byte[] body)
    {
        var (error, description, uri) = DPoPTokenResponseReader.ReadError(body);
        var detail = error is null ? "no OAuth error in the response" : description is null ? error : $"{error}: {description}";
        return new DPoPTokenException(Message(status, detail), status, error, description, uri);
    }

    /// <summary>At most 20 characters of a server-sent word, visible ASCII only, for a message.</summary>
    private static string Printable(string value)
    {
        var shown = value.Length <= 20 ? value : value[..20];
        foreach (var c in shown)
        {
            if (c is < '!' or > '~')
            {
                return "(unprintable)";
            }
        }

        return shown;
    }

    private DPoPTokenException Fail(HttpStatusCode status, string? error, string detail) =>
        new(Message(status, detail), status, error, null, null);

    private string Message(HttpStatusCode status, string detail) =>
        $"Token request of client '{_options.ClientId}' to {new LoggedOrigin(_options.TokenEndpoint!)} failed ({(int)status} {status}): {detail}.";
}
