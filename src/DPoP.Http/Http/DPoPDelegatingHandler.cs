using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DPoP.Http;

/// <summary>
/// A <see cref="DelegatingHandler"/> that gives every request a fresh DPoP proof (RFC 9449): it binds the access
/// token (<c>Authorization: DPoP</c> and <c>ath</c>), sends each server's latest nonce, retries once when a server
/// demands a new nonce, and follows redirects with a new proof per hop. Register it with
/// <c>services.AddHttpClient&lt;T&gt;().AddDPoP()</c>, or construct it with a key for use without DI.
/// </summary>
/// <remarks>
/// <para>The access token comes from, in order: <see cref="DPoPHttpRequestMessageExtensions.SetDPoPAccessToken"/>,
/// an <c>Authorization: DPoP</c> header already on the request, the client's <see cref="IDPoPAccessTokenProvider"/>.
/// A request that carries another scheme (<c>Bearer</c>) keeps it and gets a proof without <c>ath</c>.</para>
/// <para>Exceptions: <see cref="InvalidOperationException"/> when the request URI is not an absolute http(s) URI
/// without user information, when a token source yields a malformed token, or when the key provider returns null; whatever the key provider, the token
/// provider and the inner handler throw, including <see cref="OperationCanceledException"/>, passes through.</para>
/// </remarks>
public sealed class DPoPDelegatingHandler : DelegatingHandler
{
    private readonly DPoPHandlerContext _context;
    private int _primaryChecked;

    /// <summary>Creates a handler that signs with <paramref name="key"/>, for use without dependency injection.</summary>
    /// <param name="key">The key to sign proofs with; the caller keeps ownership.</param>
    /// <param name="options">Behaviour settings; defaults when null. Key settings (algorithm, key name, key files) are ignored.</param>
    /// <param name="nonceStore">Where nonces are kept; a new in-memory store when null. Share one between handlers that talk to the same servers.</param>
    /// <param name="accessTokenProvider">The source of access tokens for requests that carry none.</param>
    /// <param name="timeProvider">The clock for <c>iat</c>; the system clock when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public DPoPDelegatingHandler(
        DPoPKey key,
        DPoPClientOptions? options = null,
        IDPoPNonceStore? nonceStore = null,
        IDPoPAccessTokenProvider? accessTokenProvider = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        options ??= new DPoPClientOptions();
        timeProvider ??= TimeProvider.System;
        _context = new DPoPHandlerContext(
            clientName: string.Empty,
            options,
            _ => ValueTask.FromResult(key),
            nonceStore ?? new DPoPNonceStore(options.NonceStoreCapacity, options.NonceLifetime, timeProvider),
            accessTokenProvider,
            new DPoPAthCache(),
            timeProvider,
            NullLogger.Instance,
            DPoPMetrics.Create(meterFactory: null));
    }

    internal DPoPDelegatingHandler(DPoPHandlerContext context) => _context = context;

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendCoreAsync(request, async: true, cancellationToken).AsTask();

    /// <inheritdoc />
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var pending = SendCoreAsync(request, async: false, cancellationToken);

        // With async: false every step runs synchronously; only a key or token provider that is truly asynchronous
        // leaves work pending, and the synchronous API has no choice but to wait for it.
        return pending.IsCompleted ? pending.GetAwaiter().GetResult() : pending.AsTask().GetAwaiter().GetResult();
    }

    private async ValueTask<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var originalUri = RequireSignableUri(request.RequestUri);
        EnsurePrimaryHandlerDoesNotRedirect();

        var keyTask = _context.GetKey(cancellationToken);
        var key = (keyTask.IsCompletedSuccessfully ? keyTask.Result : await keyTask.ConfigureAwait(false))
            ?? throw new InvalidOperationException($"DPoP client '{_context.ClientName}': the key provider returned null instead of a key.");
        var (token, tokenFromProvider) = await ResolveAccessTokenAsync(request, cancellationToken).ConfigureAwait(false);
        var options = _context.Options;

        // A body must be resendable before the first send: once streamed, it is gone.
        var bodyResendable = request.Content is null ||
            ((options.RetryOnNonceChallenge || options.FollowRedirects || tokenFromProvider) &&
             await DPoPRequestBody.PrepareForResendAsync(request.Content, options.MaxBufferedRequestBodySize, async, cancellationToken).ConfigureAwait(false));

        var redirects = 0;
        var renewed = false;
        while (true)
        {
            var response = await SendWithNonceRetryAsync(request, key, token, bodyResendable, async, cancellationToken).ConfigureAwait(false);
            if (tokenFromProvider && !renewed && bodyResendable && token is not null && IsInvalidTokenChallenge(response))
            {
                // RFC 9449 §7.1: the server rejected the provider's token; a provider that can renew gets one chance.
                renewed = true;
                var renewedToken = await RenewAccessTokenAsync(request, token, cancellationToken).ConfigureAwait(false);
                if (renewedToken is not null)
                {
                    response.Dispose();
                    token = renewedToken;
                    DPoPHandlerLog.RetryingWithRenewedToken(_context.Logger, _context.ClientName, new LoggedOrigin(request.RequestUri!), request.Method.Method);
                    continue;
                }
            }

            if (!options.FollowRedirects || !DPoPRedirect.IsRedirect(response.StatusCode))
            {
                return response;
            }

            var from = request.RequestUri!;
            var target = DPoPRedirect.GetTarget(response, from, out var refusal);
            var toGet = DPoPRedirect.ChangesToGet(response.StatusCode, request.Method);
            refusal ??= redirects >= options.MaxRedirects ? $"more than {options.MaxRedirects} redirects"
                : !toGet && request.Content is not null && !bodyResendable ? "the request body cannot be sent again"
                : null;
            if (refusal is not null)
            {
                DPoPHandlerLog.RedirectNotFollowed(_context.Logger, _context.ClientName, (int)response.StatusCode, new LoggedOrigin(from), refusal);
                return response;
            }

            redirects++;
            var status = response.StatusCode;
            response.Dispose();
            request.RequestUri = target;
            if (toGet)
            {
                request.Method = HttpMethod.Get;
                request.Content = null;
                bodyResendable = true;
                if (request.Headers.TransferEncodingChunked == true)
                {
                    request.Headers.TransferEncodingChunked = false;
                }
            }

            // No access token, DPoP or other, leaves the origin it was meant for (RFC 9449 §7, RFC 9110 §15.4).
            var sameOrigin = DPoPRedirect.IsSameOrigin(target!, originalUri);
            if (!sameOrigin)
            {
                token = null;
                request.Headers.Authorization = null;
            }

            _context.Metrics.Redirects.Add(1, _context.ClientTag);
            DPoPHandlerLog.FollowingRedirect(_context.Logger, _context.ClientName, (int)status, new LoggedOrigin(from), new LoggedOrigin(target!), token is not null);
        }
    }

    private async ValueTask<HttpResponseMessage> SendWithNonceRetryAsync(
        HttpRequestMessage request, DPoPKey key, string? token, bool bodyResendable, bool async, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        var sentNonce = GetStoredNonce(uri);
        var response = await SendOnceAsync(request, key, token, sentNonce, async, cancellationToken).ConfigureAwait(false);
        if (!_context.Options.RetryOnNonceChallenge || !DPoPNonceChallenge.IsCandidate(response) ||
            (request.Options.TryGetValue(DPoPHttpRequestMessageExtensions.NoNonceRetryKey, out var noRetry) && noRetry))
        {
            return response;
        }

        bool demandsNonce;
        try
        {
            demandsNonce = await DPoPNonceChallenge.IsUseDPoPNonceAsync(response, async, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Reading the 400 body failed (connection lost, cancelled): the caller gets the exception, and the
            // response with its connection is released rather than left for the finalizer.
            response.Dispose();
            throw;
        }

        if (!demandsNonce)
        {
            return response;
        }

        var source = response.StatusCode == System.Net.HttpStatusCode.BadRequest ? "authorization_server" : "resource_server";
        _context.Metrics.NonceChallenges.Add(1, _context.ClientTag, new("dpop.challenge.source", source));

        var newNonce = ReadNonce(response, out _);
        if (newNonce is null || string.Equals(newNonce, sentNonce, StringComparison.Ordinal))
        {
            DPoPHandlerLog.ChallengeWithoutNewNonce(_context.Logger, _context.ClientName, new LoggedOrigin(uri));

            return response;
        }

        if (!bodyResendable)
        {
            _context.Metrics.RetriesRefused.Add(1, _context.ClientTag, new("reason", "body_not_resendable"));
            DPoPHandlerLog.RetryRefusedBodyNotResendable(_context.Logger, _context.ClientName, new LoggedOrigin(uri), request.Method.Method);

            return response;
        }

        DPoPHandlerLog.RetryingWithNonce(_context.Logger, _context.ClientName, new LoggedOrigin(uri), (int)response.StatusCode, request.Method.Method);

        response.Dispose();
        _context.Metrics.Retries.Add(1, _context.ClientTag);
        return await SendOnceAsync(request, key, token, newNonce, async, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<HttpResponseMessage> SendOnceAsync(
        HttpRequestMessage request, DPoPKey key, string? token, string? nonce, bool async, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        var ath = token is null ? null : _context.AthCache.GetAth(token);
        var issuedAt = (_context.TimeProvider.GetUtcNow() + _context.Options.ClockOffset).ToUnixTimeSeconds();
        var extraClaims = request.Options.TryGetValue(DPoPHttpRequestMessageExtensions.ProofClaimsKey, out var claims) ? claims.Members : null;
        var proof = DPoPProofWriter.Create(key, request.Method.Method, uri, ath, nonce, issuedAt, extraClaims);
        _context.Metrics.ProofsCreated.Add(1, _context.ClientTag);
        DPoPHandlerLog.ProofCreated(_context.Logger, _context.ClientName, request.Method.Method, new LoggedOrigin(uri), token is not null, nonce is not null);

        // RFC 9449 §4.3: exactly one DPoP header; a stale one (a resent request) is replaced.
        var headers = request.Headers;
        headers.Remove(DPoPHeaders.DPoP);
        headers.TryAddWithoutValidation(DPoPHeaders.DPoP, proof);
        if (token is not null && !IsDPoPAuthorization(headers.Authorization, token))
        {
            headers.Authorization = new AuthenticationHeaderValue(DPoPHeaders.AuthorizationScheme, token);
        }

        var response = async
            ? await base.SendAsync(request, cancellationToken).ConfigureAwait(false)
            : base.Send(request, cancellationToken);
        try
        {
            StoreNonce(uri, response);
        }
        catch
        {
            // A custom IDPoPNonceStore failed: its exception reaches the caller, the response is not left undisposed.
            response.Dispose();
            throw;
        }

        return response;
    }

    /// <summary>The bound token and whether it came from the client's <see cref="IDPoPAccessTokenProvider"/>.</summary>
    private async ValueTask<(string? Token, bool FromProvider)> ResolveAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(DPoPHttpRequestMessageExtensions.AccessTokenKey, out var fromOption) && fromOption is not null)
        {
            return (RequireValidToken(fromOption, "the request option set by SetDPoPAccessToken"), false);
        }

        var authorization = request.Headers.Authorization;
        if (authorization is not null)
        {
            // Another scheme (Bearer, Basic) is the caller's business: left alone, and no token is bound.
            return string.Equals(authorization.Scheme, DPoPHeaders.AuthorizationScheme, StringComparison.OrdinalIgnoreCase)
                ? (RequireValidToken(authorization.Parameter, "the request's Authorization: DPoP header"), false)
                : (null, false);
        }

        var provider = _context.AccessTokenProvider;
        if (provider is null)
        {
            return (null, false);
        }

        var pending = provider.GetAccessTokenAsync(request, cancellationToken);
        var token = pending.IsCompletedSuccessfully ? pending.Result : await pending.ConfigureAwait(false);

        // A provider that returns null may have set another scheme (Bearer) itself: the request then goes without a bound token.
        return token is null ? (null, false) : (RequireValidToken(token, $"the IDPoPAccessTokenProvider ({provider.GetType().Name})"), true);
    }

    /// <summary>Asks the provider to drop a rejected token and hands out a different one, or null when it cannot.</summary>
    private async ValueTask<string?> RenewAccessTokenAsync(HttpRequestMessage request, string rejected, CancellationToken cancellationToken)
    {
        var provider = _context.AccessTokenProvider!;
        if (!await provider.OnAccessTokenRejectedAsync(rejected, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var renewed = await provider.GetAccessTokenAsync(request, cancellationToken).ConfigureAwait(false);
        return renewed is null || string.Equals(renewed, rejected, StringComparison.Ordinal)
            ? null
            : RequireValidToken(renewed, $"the IDPoPAccessTokenProvider ({provider.GetType().Name})");
    }

    private static bool IsInvalidTokenChallenge(HttpResponseMessage response) =>
        response.StatusCode == System.Net.HttpStatusCode.Unauthorized &&
        response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var values) &&
        WwwAuthenticateParser.HasDPoPError(values, "invalid_token");

    private string RequireValidToken(string? token, string source)
    {
        if (token is null || !DPoPSyntax.IsAccessToken(token))
        {
            throw new InvalidOperationException(
                $"DPoP client '{_context.ClientName}': the access token from {source} is empty or not visible ASCII (%x21-7E).");
        }

        return token;
    }

    private string? GetStoredNonce(Uri uri)
    {
        var nonce = _context.NonceStore.GetNonce(uri);

        // A custom store could hand back anything; only a valid nonce goes into a proof.
        return nonce is not null && DPoPSyntax.IsNonce(nonce) ? nonce : null;
    }

    private void StoreNonce(Uri uri, HttpResponseMessage response)
    {
        var nonce = ReadNonce(response, out var rejection);
        if (nonce is not null)
        {
            if (!string.Equals(_context.NonceStore.GetNonce(uri), nonce, StringComparison.Ordinal))
            {
                _context.NonceStore.SetNonce(uri, nonce);
                DPoPHandlerLog.NonceStored(_context.Logger, _context.ClientName, new LoggedOrigin(uri));
            }
        }
        else if (rejection is not null)
        {
            _context.Metrics.InvalidNonces.Add(1, _context.ClientTag);
            DPoPHandlerLog.InvalidNonceIgnored(_context.Logger, _context.ClientName, new LoggedOrigin(uri), rejection);
        }
    }

    /// <summary>The response's <c>DPoP-Nonce</c>, when it has exactly one valid value (repeats of it allowed).</summary>
    private static string? ReadNonce(HttpResponseMessage response, out string? rejection)
    {
        rejection = null;
        if (!response.Headers.NonValidated.TryGetValues(DPoPHeaders.Nonce, out var values))
        {
            return null;
        }

        string? nonce = null;
        foreach (var value in values)
        {
            if (nonce is not null && !string.Equals(nonce, value, StringComparison.Ordinal))
            {
                rejection = "several different values";
                return null;
            }

            nonce = value;
        }

        if (nonce is null || !DPoPSyntax.IsNonce(nonce))
        {
            rejection = nonce is { Length: > DPoPSyntax.MaxNonceLength } ? $"longer than {DPoPSyntax.MaxNonceLength} characters" : "not 1*NQCHAR (RFC 9449 §8.1)";
            return null;
        }

        return nonce;
    }

    private static bool IsDPoPAuthorization(AuthenticationHeaderValue? header, string token) =>
        header is not null &&
        string.Equals(header.Scheme, DPoPHeaders.AuthorizationScheme, StringComparison.Ordinal) &&
        string.Equals(header.Parameter, token, StringComparison.Ordinal);

    private Uri RequireSignableUri(Uri? uri)
    {
        try
        {
            DPoPTargetUri.Validate(uri, nameof(HttpRequestMessage.RequestUri));
            return uri!;
        }
        catch (ArgumentException ex)
        {
            throw new InvalidOperationException($"DPoP client '{_context.ClientName}' cannot sign the request: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The primary handler's own redirects would resend this hop's proof (and, for SocketsHttpHandler, cookies and
    /// the DPoP header) to a URI it was not made for; this handler follows redirects instead. Checked on the first
    /// send, when the primary handler has not sent anything yet, whatever order the app configured things in.
    /// </summary>
    private void EnsurePrimaryHandlerDoesNotRedirect()
    {
        if (Volatile.Read(ref _primaryChecked) != 0 || Interlocked.Exchange(ref _primaryChecked, 1) != 0)
        {
            return;
        }

        var handler = InnerHandler;
        while (handler is DelegatingHandler delegating)
        {
            handler = delegating.InnerHandler;
        }

        try
        {
            switch (handler)
            {
                case SocketsHttpHandler { AllowAutoRedirect: true } sockets:
                    sockets.AllowAutoRedirect = false;
                    break;
                case HttpClientHandler { AllowAutoRedirect: true } client:
                    client.AllowAutoRedirect = false;
                    break;
                default:
                    return;
            }

            DPoPHandlerLog.PrimaryRedirectsDisabled(_context.Logger, _context.ClientName);
        }
        catch (InvalidOperationException)
        {
            DPoPHandlerLog.PrimaryRedirectsNotDisabled(_context.Logger, _context.ClientName);
        }
    }
}
