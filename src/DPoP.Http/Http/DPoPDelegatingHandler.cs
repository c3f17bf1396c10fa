using DPoP.Http.Internal;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

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
/// without user information, when a token source yields a malformed token, or when the key provider returns null;
/// <see cref="HttpRequestException"/>, with the IO failure inside, when the body of a <c>400</c> (which the handler
/// reads to look for <c>use_dpop_nonce</c>) breaks off; whatever the key provider, the nonce store, the token
/// provider and the inner handler throw, including <see cref="OperationCanceledException"/>, passes through. A
/// server's answer never escapes as a parser's exception: a body, header or <c>Location</c> the handler cannot read
/// is returned to the caller as it came (an unsignable <c>Location</c> is not followed).</para>
/// </remarks>
public sealed class DPoPDelegatingHandler : DelegatingHandler
{
    private readonly DPoPHandlerContext _context;
    private readonly DPoPPrimaryHandlerCheck _primaryCheck = new();

    /// <summary>Creates a handler that signs with <paramref name="key"/>, for use without dependency injection.</summary>
    /// <param name="key">The key to sign proofs with; the caller keeps ownership.</param>
    /// <param name="options">Behaviour settings; defaults when null.</param>
    /// <param name="nonceStore">
    /// Where nonces are kept; when null, a new <see cref="DPoPNonceStore"/> with its defaults (1000 origins, no expiry).
    /// Pass <c>new DPoPNonceStore(capacity, lifetime)</c> to bound or expire nonces, and share one store between
    /// handlers that talk to the same servers.
    /// </param>
    /// <param name="accessTokenProvider">The source of access tokens for requests that carry none.</param>
    /// <param name="timeProvider">The clock for <c>iat</c>; the system clock when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="options"/> breaks a rule (the message names the property).</exception>
    public DPoPDelegatingHandler(
        DPoPKey key,
        DPoPHandlerOptions? options = null,
        IDPoPNonceStore? nonceStore = null,
        IDPoPAccessTokenProvider? accessTokenProvider = null,
        TimeProvider? timeProvider = null)
        : this(DPoPHandlerContext.Standalone(key, options, nonceStore, accessTokenProvider, timeProvider))
    {
    }

    internal DPoPDelegatingHandler(DPoPHandlerContext context) => _context = context;

    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendCoreAsync(request, async: true, cancellationToken).AsTask();

    /// <inheritdoc />
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var pending = SendCoreAsync(request, async: false, cancellationToken);

        // With async: false every step runs synchronously; only a key provider, token provider or nonce store that is
        // truly asynchronous leaves work pending, and the synchronous API has no choice but to wait for it.
        return pending.IsCompleted ? pending.GetAwaiter().GetResult() : pending.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// Called when IHttpClientFactory builds the pipeline and has turned the primary handler's redirects off (or
    /// found nothing to turn off), so the first request needs no check.
    /// </summary>
    internal void MarkPrimaryHandlerChecked() => _primaryCheck.MarkDone();

    /// <summary>The protocol: attempt (with its one nonce retry), renew a rejected token once, follow a redirect.</summary>
    private async ValueTask<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, bool async, CancellationToken cancellationToken)
    {
        var state = await StartAsync(request, async, cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                var response = await SendWithNonceRetryAsync(request, state, async, cancellationToken).ConfigureAwait(false);
                state.EndRedirectSpan(response);
                if (await TryRenewRejectedTokenAsync(request, state, response, cancellationToken).ConfigureAwait(false) ||
                    TryFollowRedirect(request, state, response))
                {
                    continue;
                }

                return response;
            }
        }
        catch (Exception ex) when (state.EndRedirectSpan(ex))
        {
            throw; // not reached: the filter only ends the span of a hop that failed
        }
    }

    /// <summary>Validates the request, resolves key and token, and makes the body resendable where that is possible.</summary>
    private async ValueTask<DPoPRequestState> StartAsync(HttpRequestMessage request, bool async, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var originalUri = RequireSignableUri(request.RequestUri);
        _primaryCheck.EnsureDone(InnerHandler, _context.Logger, _context.ClientName);
        DPoPKey? key;
        if (_context.KeyPerRequest)
        {
            key = DPoPRequestKey.Get(request, _context.ClientName);
        }
        else
        {
            var keyTask = _context.GetKey(cancellationToken);
            key = (keyTask.IsCompletedSuccessfully ? keyTask.Result : await keyTask.ConfigureAwait(false))
                ?? throw new InvalidOperationException($"DPoP client '{_context.ClientName}': the key provider returned null instead of a key.");
        }

        var (token, fromProvider) = await DPoPAccessTokenResolver.ResolveAsync(_context, request, cancellationToken).ConfigureAwait(false);

        // A body must be made resendable before the first send: once streamed, it is gone.
        var options = _context.Options;
        var bodyPrepared = request.Content is null ||
            ((options.RetryOnNonceChallenge || options.FollowRedirects || fromProvider) &&
             await DPoPRequestBody.PrepareForResendAsync(request, options.MaxBufferedRequestBodySize, async, cancellationToken).ConfigureAwait(false));
        return new DPoPRequestState(key, originalUri, token, fromProvider, bodyPrepared);
    }

    /// <summary>One attempt, and the one retry RFC 9449 §8/§9 allows when the server demands a new nonce.</summary>
    private async ValueTask<HttpResponseMessage> SendWithNonceRetryAsync(HttpRequestMessage request, DPoPRequestState state, bool async, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        var storedNonce = DPoPNonceHeader.GetStoredAsync(_context, uri, cancellationToken);
        var sentNonce = storedNonce.IsCompletedSuccessfully ? storedNonce.Result : await storedNonce.ConfigureAwait(false);
        var response = await SendOnceAsync(request, state, sentNonce, async, cancellationToken).ConfigureAwait(false);
        if (!_context.Options.RetryOnNonceChallenge || !DPoPNonceChallenge.IsCandidate(response) ||
            request.IsDPoPNonceRetryDisabled() ||
            !await DPoPNonceChallenge.IsUseDPoPNonceOrDisposeAsync(response, async, cancellationToken).ConfigureAwait(false))
        {
            return response;
        }

        var source = response.StatusCode == System.Net.HttpStatusCode.BadRequest ? "authorization_server" : "resource_server";
        _context.Metrics.NonceChallenges.Add(1, _context.ClientTag, new(DPoPTelemetryNames.ChallengeSource, source));
        var newNonce = DPoPNonceHeader.Read(response, out _);
        if (newNonce is null || string.Equals(newNonce, sentNonce, StringComparison.Ordinal))
        {
            DPoPHandlerLog.ChallengeWithoutNewNonce(_context.Logger, _context.ClientName, new LoggedOrigin(uri));
            return response;
        }

        if (!state.CanResendBody(request))
        {
            _context.Metrics.RetriesRefused.Add(1, _context.ClientTag, new(DPoPTelemetryNames.Reason, "body_not_resendable"));
            DPoPHandlerLog.RetryRefusedBodyNotResendable(_context.Logger, _context.ClientName, new LoggedOrigin(uri), request.Method.Method);
            return response;
        }

        DPoPHandlerLog.RetryingWithNonce(_context.Logger, _context.ClientName, new LoggedOrigin(uri), (int)response.StatusCode, request.Method.Method);
        response.Dispose();
        _context.Metrics.Retries.Add(1, _context.ClientTag);
        var activity = DPoPActivities.StartNonceRetry(_context.SpanClientName, uri, DPoPHttpMethod.ToWire(request.Method), source, _context.Scheme);
        try
        {
            var retried = await SendOnceAsync(request, state, newNonce, async, cancellationToken).ConfigureAwait(false);
            DPoPActivities.StopWithResponse(activity, retried);
            return retried;
        }
        catch (Exception ex)
        {
            DPoPActivities.StopWithError(activity, DPoPActivities.ErrorType(ex));
            throw;
        }
    }

    /// <summary>Signs the request as the transport will send it, sends it, and keeps the nonce the response carries.</summary>
    private async ValueTask<HttpResponseMessage> SendOnceAsync(
        HttpRequestMessage request, DPoPRequestState state, string? nonce, bool async, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        var token = state.Token;
        var ath = token is null ? null : _context.AthCache.GetAth(token);
        var issuedAt = (_context.TimeProvider.GetUtcNow() + _context.Options.ClockOffset).ToUnixTimeSeconds();
        var extraClaims = request.GetDPoPProofClaims()?.Members;

        // RFC 9449 §4.3 checks 7 and 8: htm is the method on the wire, htu the target URI the server reconstructs.
        var method = DPoPHttpMethod.ToWire(request.Method);
        var proof = DPoPProofWriter.Create(state.Key, method, DPoPRequestTarget.Of(request), ath, nonce, issuedAt, extraClaims);
        _context.Metrics.ProofsCreated.Add(1, _context.ClientTag);
        DPoPHandlerLog.ProofCreated(_context.Logger, _context.ClientName, method, new LoggedOrigin(uri), token is not null, nonce is not null);

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
            var storing = DPoPNonceHeader.StoreAsync(_context, uri, response, nonce, cancellationToken);
            if (!storing.IsCompletedSuccessfully)
            {
                await storing.ConfigureAwait(false);
            }
        }
        catch
        {
            // A custom IDPoPNonceStore failed: its exception reaches the caller, the response is not left undisposed.
            response.Dispose();
            throw;
        }

        return response;
    }

    /// <summary>
    /// RFC 9449 §7.1: the server rejected the provider's token (<c>invalid_token</c>); a provider that can renew it
    /// gets one chance. True when the request is to be sent again with the renewed token.
    /// </summary>
    private async ValueTask<bool> TryRenewRejectedTokenAsync(
        HttpRequestMessage request, DPoPRequestState state, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!state.TokenFromProvider || state.TokenRenewed || state.Token is not { } rejected ||
            !WwwAuthenticateParser.IsInvalidTokenChallenge(response) || !state.CanResendBody(request))
        {
            return false;
        }

        state.TokenRenewed = true;
        string? renewed;
        try
        {
            renewed = await DPoPAccessTokenResolver.RenewAsync(_context, request, rejected, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // The token endpoint is down, or the caller gave up: the 401 and its connection are released, not left to the finalizer.
            response.Dispose();
            throw;
        }

        if (renewed is null)
        {
            return false;
        }

        response.Dispose();
        state.Token = renewed;
        DPoPHandlerLog.RetryingWithRenewedToken(_context.Logger, _context.ClientName, new LoggedOrigin(request.RequestUri!), request.Method.Method);
        return true;
    }

    /// <summary>Rewrites the request for the next hop of a redirect it may follow; true when it is to be sent again.</summary>
    private bool TryFollowRedirect(HttpRequestMessage request, DPoPRequestState state, HttpResponseMessage response)
    {
        var options = _context.Options;
        if (!options.FollowRedirects || !DPoPRedirect.IsRedirect(response.StatusCode))
        {
            return false;
        }

        var from = request.RequestUri!;
        var status = (int)response.StatusCode;
        if (!DPoPRedirect.TryPrepareNextHop(request, state, response, options.MaxRedirects, out var target, out var refusal))
        {
            DPoPHandlerLog.RedirectNotFollowed(_context.Logger, _context.ClientName, status, new LoggedOrigin(from), refusal);
            return false;
        }

        response.Dispose();
        _context.Metrics.Redirects.Add(1, _context.ClientTag);
        state.RedirectSpan = DPoPActivities.StartRedirect(
            _context.SpanClientName, target, DPoPHttpMethod.ToWire(request.Method), status, state.Redirects, !DPoPRedirect.IsSameOrigin(from, target), _context.Scheme);
        DPoPHandlerLog.FollowingRedirect(_context.Logger, _context.ClientName, status, new LoggedOrigin(from), new LoggedOrigin(target), state.Token is not null);
        return true;
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
}
