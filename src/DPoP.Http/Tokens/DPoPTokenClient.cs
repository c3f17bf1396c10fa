using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DPoP.Http;

/// <summary>
/// Requests DPoP-bound tokens from a token endpoint (RFC 9449 §5): client credentials, refresh tokens and
/// authorization codes. The <see cref="HttpClient"/> it is given must carry DPoP (<c>AddDPoP()</c> or a
/// <see cref="DPoPDelegatingHandler"/>) with the key the tokens are to be bound to; that handler adds the proof and
/// answers the endpoint's <c>use_dpop_nonce</c> challenge.
/// </summary>
/// <remarks>
/// A refresh token issued to a public client is bound to the DPoP key: refresh it through a client with the same key,
/// which must therefore outlive the process (configure it; do not generate it per run).
/// </remarks>
public sealed class DPoPTokenClient
{
    private readonly HttpClient _httpClient;
    private readonly DPoPTokenClientOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly Lazy<DPoPKey>? _assertionKey;

    /// <summary>Creates a token client.</summary>
    /// <param name="httpClient">An HttpClient with DPoP enabled, signing with the key tokens are bound to.</param>
    /// <param name="options">Token endpoint and client credentials.</param>
    /// <param name="timeProvider">The clock for expiry times and client assertions; the system clock when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="httpClient"/> or <paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are incomplete (no token endpoint, no client id, no secret or key for the chosen method).</exception>
    public DPoPTokenClient(HttpClient httpClient, DPoPTokenClientOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        var problems = DPoPTokenClientOptionsRules.Check(options);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"The token client options are not usable: {string.Join(" ", problems)}", nameof(options));
        }

        _httpClient = httpClient;
        _options = options;
        _timeProvider = timeProvider ?? TimeProvider.System;
        if (options.ClientAuthentication == DPoPClientAuthenticationMethod.PrivateKeyJwt)
        {
            _assertionKey = new Lazy<DPoPKey>(() => DPoPTokenClientOptionsRules.LoadAssertionKey(options));
        }
    }

    /// <summary>Requests a token with the client credentials grant (RFC 6749 §4.4), with the configured scope, resources and audience.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token response.</returns>
    /// <exception cref="DPoPTokenException">The server answered with an error, or with a token that is not DPoP-bound (unless allowed).</exception>
    /// <exception cref="HttpRequestException">The server could not be reached.</exception>
    public Task<DPoPTokenResponse> RequestClientCredentialsTokenAsync(CancellationToken cancellationToken = default)
    {
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "client_credentials") };
        AddRequestedAccess(form, _options.Scope);
        return SendAsync(form, cancellationToken);
    }

    /// <summary>Refreshes a token (RFC 6749 §6) through the DPoP client, so the new token is bound to the same key.</summary>
    /// <param name="refreshToken">The refresh token.</param>
    /// <param name="scope">A narrower scope, or null for the original one.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The token response, often with a new refresh token.</returns>
    /// <exception cref="ArgumentException"><paramref name="refreshToken"/> is null or empty.</exception>
    /// <exception cref="DPoPTokenException">The server answered with an error (<c>invalid_grant</c> when the key does not match), or with an unbound token.</exception>
    public Task<DPoPTokenResponse> RefreshTokenAsync(string refreshToken, string? scope = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(refreshToken);
        var form = new List<KeyValuePair<string, string>> { new("grant_type", "refresh_token"), new("refresh_token", refreshToken) };
        if (!string.IsNullOrEmpty(scope))
        {
            form.Add(new("scope", scope));
        }

        return SendAsync(form, cancellationToken);
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
    /// <exception cref="ArgumentException"><paramref name="code"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="redirectUri"/> is null.</exception>
    /// <exception cref="DPoPTokenException">The server answered with an error, or with an unbound token.</exception>
    public Task<DPoPTokenResponse> ExchangeAuthorizationCodeAsync(string code, Uri redirectUri, string? codeVerifier = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        ArgumentNullException.ThrowIfNull(redirectUri);
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "authorization_code"),
            new("code", code),
            new("redirect_uri", redirectUri.OriginalString),
        };
        if (!string.IsNullOrEmpty(codeVerifier))
        {
            form.Add(new("code_verifier", codeVerifier));
        }

        return SendAsync(form, cancellationToken);
    }

    private void AddRequestedAccess(List<KeyValuePair<string, string>> form, string? scope)
    {
        if (!string.IsNullOrEmpty(scope))
        {
            form.Add(new("scope", scope));
        }

        foreach (var resource in _options.Resources)
        {
            form.Add(new("resource", resource));
        }

        if (!string.IsNullOrEmpty(_options.Audience))
        {
            form.Add(new("audience", _options.Audience));
        }
    }

    private async Task<DPoPTokenResponse> SendAsync(List<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        // A client assertion is single-use (RFC 7523 §3: servers such as oidc-provider reject a replayed jti), so the
        // handler must not answer a use_dpop_nonce challenge by resending this body: the token client sends the
        // request once more itself, with a new assertion and the nonce the handler stored from the challenge.
        var singleUseBody = _options.ClientAuthentication == DPoPClientAuthenticationMethod.PrivateKeyJwt;
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _options.TokenEndpoint);
            var attemptForm = new List<KeyValuePair<string, string>>(form);
            AddClientAuthentication(request, attemptForm);
            request.Content = new FormUrlEncodedContent(attemptForm);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (singleUseBody)
            {
                request.Options.Set(DPoPHttpRequestMessageExtensions.NoNonceRetryKey, true);
            }

            using var response = await _httpClient.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return ParseSuccess(response.StatusCode, body);
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

    private void AddClientAuthentication(HttpRequestMessage request, List<KeyValuePair<string, string>> form)
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
                form.Add(new("client_assertion", DPoPClientAssertion.Create(
                    _assertionKey!.Value, clientId, _options.ClientAssertionAudience ?? _options.TokenEndpoint!.AbsoluteUri, _options.ClientAssertionKeyId, _timeProvider)));
                break;
            default:
                form.Add(new("client_id", clientId));
                break;
        }
    }

    private DPoPTokenResponse ParseSuccess(HttpStatusCode status, byte[] body)
    {
        string? accessToken = null, tokenType = null, refreshToken = null, scope = null, idToken = null;
        double? expiresIn = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                accessToken = GetString(root, "access_token");
                tokenType = GetString(root, "token_type");
                refreshToken = GetString(root, "refresh_token");
                scope = GetString(root, "scope");
                idToken = GetString(root, "id_token");
                if (root.TryGetProperty("expires_in", out var expires))
                {
                    expiresIn = expires.ValueKind switch
                    {
                        JsonValueKind.Number => expires.GetDouble(),
                        JsonValueKind.String when double.TryParse(expires.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var parsed) => parsed,
                        _ => null,
                    };
                }
            }
        }
        catch (JsonException)
        {
        }

        if (accessToken is null || tokenType is null || !DPoPSyntax.IsAccessToken(accessToken))
        {
            throw Fail(status, "invalid_token_response", "the response is not a JSON object with access_token and token_type");
        }

        var response = new DPoPTokenResponse(
            accessToken,
            tokenType,
            _timeProvider.GetUtcNow() + (expiresIn is > 0 ? TimeSpan.FromSeconds(expiresIn.Value) : _options.DefaultTokenLifetime),
            expiresIn is > 0 ? TimeSpan.FromSeconds(expiresIn.Value) : null,
            refreshToken,
            scope,
            idToken);

        // RFC 9449 §5: a Bearer answer means the server did not bind the token to our key.
        if (!response.IsDPoPBound && !(_options.AllowBearerTokens && string.Equals(tokenType, "Bearer", StringComparison.OrdinalIgnoreCase)))
        {
            var shown = tokenType.Length <= 20 ? tokenType : tokenType[..20];
            throw Fail(status, "unexpected_token_type",
                $"the server issued a '{shown}' token, not a DPoP-bound one; enable DPoP for this client at the authorization server, or set AllowBearerTokens to accept Bearer tokens");
        }

        return response;
    }

    private DPoPTokenException ParseError(HttpStatusCode status, byte[] body)
    {
        string? error = null, description = null, uri = null;
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object)
            {
                error = GetString(json.RootElement, "error");
                description = GetString(json.RootElement, "error_description");
                uri = GetString(json.RootElement, "error_uri");
            }
        }
        catch (JsonException)
        {
        }

        var detail = error is null ? "no OAuth error in the response" : description is null ? error : $"{error}: {description}";
        return new DPoPTokenException(Message(status, detail), status, error, description, uri);
    }

    private DPoPTokenException Fail(HttpStatusCode status, string error, string detail) =>
        new(Message(status, detail), status, error, null, null);

    private string Message(HttpStatusCode status, string detail) =>
        $"Token request of client '{_options.ClientId}' to {new LoggedOrigin(_options.TokenEndpoint!)} failed ({(int)status} {status}): {detail}.";

    private static string? GetString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
