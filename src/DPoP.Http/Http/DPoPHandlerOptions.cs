using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;

namespace DPoP.Http;

/// <summary>
/// How a <see cref="DPoPDelegatingHandler"/> behaves: nonce retries, resendable bodies, the clock, redirects. With DI
/// they are <see cref="DPoPClientOptions.Handler"/> (configuration section <c>Handler</c>); without DI, pass them to the
/// handler's constructor. Where nonces are kept is not a handler setting: with DI see
/// <see cref="DPoPClientOptions.NonceStoreCapacity"/>, without DI pass a <see cref="DPoPNonceStore"/>.
/// </summary>
public sealed class DPoPHandlerOptions
{
    /// <summary>Retry once when the server demands a nonce (<c>use_dpop_nonce</c>) and sends a new one. Default true.</summary>
    public bool RetryOnNonceChallenge { get; set; } = true;

    /// <summary>
    /// The largest request body, in bytes, the handler keeps so that it can resend it with the same bytes (nonce
    /// retry, renewed token, 307/308 redirect): a body of known size is buffered before the first send, one of unknown
    /// size (<c>JsonContent</c>, custom content) recorded while it is sent. The framework's fixed-byte contents
    /// (<see cref="StringContent"/>, <see cref="ByteArrayContent"/>, form, multipart of those) are resent without
    /// copying, whatever their size. A larger body is sent once: a challenge is then returned to the caller and the
    /// stored nonce serves the next request. Default 64 KiB; 0 turns buffering and recording off.
    /// </summary>
    [Range(0, int.MaxValue, ErrorMessage = "must be zero (no buffering) or more.")]
    public int MaxBufferedRequestBodySize { get; set; } = 64 * 1024;

    /// <summary>Added to the clock for <c>iat</c>, to correct a known skew against the servers. Default zero; at most ±1 hour.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = GeneratedOptionsRules.TrimSafeRange)]
    [Range(typeof(TimeSpan), "-01:00:00", "01:00:00", ErrorMessage = "must be within ±1 hour; a larger skew means the clock itself needs fixing.")]
    public TimeSpan ClockOffset { get; set; }

    /// <summary>
    /// Follow redirects in the DPoP handler, with a new proof for every hop and the access token kept to the original
    /// origin. The primary handler's own automatic redirects are turned off for this client either way, since they
    /// would resend a proof made for another URI. Default true; false returns 3xx responses to the caller.
    /// </summary>
    public bool FollowRedirects { get; set; } = true;

    /// <summary>The most redirects followed for one request. Default 50, as <see cref="SocketsHttpHandler"/>.</summary>
    [Range(0, int.MaxValue, ErrorMessage = "must be zero or more.")]
    public int MaxRedirects { get; set; } = 50;

    /// <summary>Copies every setting of <paramref name="source"/> into this instance.</summary>
    internal void CopyFrom(DPoPHandlerOptions source)
    {
        RetryOnNonceChallenge = source.RetryOnNonceChallenge;
        MaxBufferedRequestBodySize = source.MaxBufferedRequestBodySize;
        ClockOffset = source.ClockOffset;
        FollowRedirects = source.FollowRedirects;
        MaxRedirects = source.MaxRedirects;
    }
}
