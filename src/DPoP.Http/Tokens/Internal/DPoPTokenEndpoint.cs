using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace DPoP.Http.Internal;

/// <summary>
/// The token endpoint as <see cref="DPoPTokenClient"/> talks to it: builds each request's form (grant, configured and
/// per-call parameters, the token request hook), authenticates the client (a fresh client assertion on every attempt,
/// the nonce retry included), answers the endpoint's <c>use_dpop_nonce</c> challenge, and reads the answer.
/// </summary>
internal sealed class DPoPTokenEndpoint(
    HttpClient httpClient,
    DPoPTokenClientOptions options,
    TimeProvider timeProvider,
    IDPoPClientAssertionProvider? assertionProvider,
    Func<DPoPTokenRequestContext, CancellationToken, ValueTask>? onTokenRequest,
    Func<DPoPTokenTelemetry> telemetry)
{
    /// <summary>The "grant type" a revocation reports in telemetry and client assertion contexts.</summary>
    private const string Revocation = "revocation";

    private readonly HttpClient _httpClient = httpClient;
    private readonly DPoPTokenClientOptions _options = options;
    private readonly TimeProvider _timeProvider = timeProvider;
    private readonly IDPoPClientAssertionProvider? _assertionProvider = assertionProvider;
    private readonly Func<DPoPTokenRequestContext, CancellationToken, ValueTask>? _onTokenRequest = onTokenRequest;

    private readonly Func<DPoPTokenTelemetry> _telemetry = telemetry;

    /// <summary>
    /// The key every request is signed with, when the token client serves one session of an OpenID Connect scheme
    /// (DPoP.Http.AspNetCore): carried by each request to the scheme's token endpoint client, whose handler has no key.
    /// </summary>
    public DPoPKey? RequestKey { get; set; }

    /// <summary>Where spans, metrics and logs go: the token client's name and factories.</summary>
    private DPoPTokenTelemetry Telemetry => _telemetry();

    public DPoPTokenRequestContext CreateContext(string grantType, IEnumerable<KeyValuePair<string, string>>? parameters)
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

    public async Task<DPoPTokenResponse> SendAsync(DPoPTokenRequestContext context, List<KeyValuePair<string, string>> grant, CancellationToken cancellationToken)
    {
        var telemetry = Telemetry;
        var endpoint = _options.TokenEndpoint!;
        var grantType = context.GrantType;
        var activity = telemetry.StartRequest(DPoPTelemetryNames.TokenRequestSpan, grantType, endpoint);
        var startedAt = Stopwatch.GetTimestamp();
        try
        {
            var form = await BuildFormAsync(context, grant, cancellationToken).ConfigureAwait(false);
            var (status, body) = await PostAsync(endpoint, grantType, form, cancellationToken).ConfigureAwait(false);
            var response = ParseSuccess(status, body);
            telemetry.RequestSucceeded(activity, grantType, endpoint, startedAt, response);
            return response;
        }
        catch (Exception ex)
        {
            telemetry.RequestFailed(activity, grantType, endpoint, startedAt, ex);
            throw;
        }
    }

    /// <summary>Revokes a token (RFC 7009) at <paramref name="endpoint"/>, in a <c>dpop.token.revoke</c> span.</summary>
    public async Task RevokeAsync(Uri endpoint, List<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        var telemetry = Telemetry;
        var activity = telemetry.StartRequest(DPoPTelemetryNames.TokenRevokeSpan, Revocation, endpoint);
        try
        {
            await PostAsync(endpoint, Revocation, form, cancellationToken).ConfigureAwait(false);
            telemetry.Revoked(activity, endpoint);
        }
        catch (Exception ex)
        {
            telemetry.RevocationFailed(activity, endpoint, ex);
            throw;
        }
    }

    /// <summary>Posts an authenticated form to the token (or revocation) endpoint; returns a success's status and body, throws an error's <see cref="DPoPTokenException"/>.</summary>
    public async Task<(HttpStatusCode Status, byte[] Body)> PostAsync(Uri endpoint, string grantType, List<KeyValuePair<string, string>> form, CancellationToken cancellationToken)
    {
        // A client assertion is single-use (RFC 7523 §3: servers such as oidc-provider reject a replayed jti), so the
        // handler must not answer a use_dpop_nonce challenge by resending this body: the token client sends the
        // request once more itself, with a new assertion and the nonce the handler stored from the challenge.
        var singleUseBody = _options.ClientAuthentication == DPoPClientAuthenticationMethod.PrivateKeyJwt;
        Activity? resend = null;
        for (var attempt = 1; ; attempt++)
        {
            using var resendSpan = resend;
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
            var attemptForm = new List<KeyValuePair<string, string>>(form);
            await AddClientAuthenticationAsync(request, attemptForm, endpoint, grantType, cancellationToken).ConfigureAwait(false);
            request.Content = new FormUrlEncodedContent(attemptForm);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (RequestKey is { } key)
            {
                DPoPRequestKey.Set(request, key);
            }

            if (singleUseBody)
            {
                request.SetDPoPNonceRetry(false);
            }

            // Headers first, so the body can be read within a bound instead of buffered whole by HttpClient.
            using var response = await _httpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode && string.Equals(grantType, Revocation, StringComparison.Ordinal))
            {
                // RFC 7009 §2.2: the status says it all and the client ignores the body, so a large or broken one is no failure.
                resendSpan?.SetTag("http.response.status_code", (int)response.StatusCode);
                return (response.StatusCode, []);
            }

            var body = await DPoPTokenResponseReader.ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                throw Fail(response.StatusCode, response.IsSuccessStatusCode ? "invalid_token_response" : null,
                    $"the response body is larger than {DPoPTokenResponseReader.MaxBodyBytes / (1024 * 1024)} MiB");
            }

            if (response.IsSuccessStatusCode)
            {
                resendSpan?.SetTag("http.response.status_code", (int)response.StatusCode);
                return (response.StatusCode, body);
            }

            var error = ParseError(response.StatusCode, body);
            var nonceChallenge = response.StatusCode == HttpStatusCode.BadRequest &&
                string.Equals(error.Error, "use_dpop_nonce", StringComparison.Ordinal) &&
                response.Headers.Contains(DPoPHeaders.Nonce);
            if (!singleUseBody || attempt > 1 || !nonceChallenge)
            {
                DPoPActivities.StopWithError(resendSpan, DPoPTokenTelemetry.ErrorType(error));
                throw error;
            }

            DPoPTokenLog.TokenEndpointNonceResend(Telemetry.Logger, Telemetry.DisplayName, new LoggedOrigin(endpoint), grantType);
            resend = DPoPActivities.StartNonceRetry(Telemetry.ClientName, endpoint, "POST", "authorization_server", Telemetry.Scheme);
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
                // None, and RFC 8705 §2's tls_client_auth and self_signed_tls_client_auth: the TLS client certificate
                // (on the HttpClient's primary handler) authenticates, the form only names the client.
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
