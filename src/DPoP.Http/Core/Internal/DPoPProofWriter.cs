using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace DPoP.Http.Internal;

/// <summary>
/// The hot path: writes a proof straight into one pooled ASCII buffer and returns it as the only allocation.
/// The protected header is pre-encoded per key; the payload is written without a JSON writer because every value
/// in it is validated to need no escaping (method token, escaped URI, base64url, NQCHAR nonce, integer).
/// </summary>
internal static class DPoPProofWriter
{
    /// <summary>RFC 9449 §4.2 asks for enough entropy to make jti collisions negligible; 128 bits it is.</summary>
    private const int JtiBytes = 16;

    private const int JtiLength = 22; // base64url of 16 bytes, no padding

    private const int AthLength = 43; // base64url of a SHA-256 hash

    private const int StackSignatureLimit = 512;

    /// <summary>CSPRNG bytes drawn at once per thread: 32 jtis' worth.</summary>
    private const int JtiPoolBytes = 32 * JtiBytes;

    // Each RandomNumberGenerator.Fill goes to OpenSSL's DRBG on Linux, which makes a system call every time (getpid,
    // its fork check): ~0.77 µs on the benchmark machine, more than the rest of a proof but its signature. Drawing
    // 32 jtis at once costs ~33 ns a proof (ProofPartsBenchmarks: Random_Jti_PerCall against Random_Jti_Pooled;
    // docs/benchmarks.md). Per thread, so no lock; each slice is handed out once, then cleared.
    [ThreadStatic]
    private static byte[]? _jtiPool;

    [ThreadStatic]
    private static int _jtiOffset;

    /// <summary>
    /// Creates a proof for validated inputs. <paramref name="ath"/> is empty when no token is bound;
    /// <paramref name="extraClaims"/> holds further payload members as JSON without braces (<c>"a":1</c>), or is empty.
    /// </summary>
    public static string Create(DPoPKey key, string method, Uri uri, ReadOnlySpan<char> ath, string? nonce, long issuedAt, ReadOnlySpan<byte> extraClaims = default)
    {
        var header = key.EncodedHeader;
        var payloadMax = 64 + method.Length + DPoPTargetUri.GetMaxHtuLength(uri) + 20
            + (ath.IsEmpty ? 0 : 9 + ath.Length)
            + (nonce is null ? 0 : 11 + nonce.Length)
            + (extraClaims.IsEmpty ? 0 : 1 + extraClaims.Length);
        var outputMax = header.Length + 1 + Base64Url.GetEncodedLength(payloadMax) + 1 + Base64Url.GetEncodedLength(key.SignatureSize);

        var buffer = ArrayPool<byte>.Shared.Rent(payloadMax + outputMax);
        try
        {
            var payload = buffer.AsSpan(0, payloadMax);
            var payloadLength = WritePayload(payload, method, uri, ath, nonce, issuedAt, extraClaims);

            var output = buffer.AsSpan(payloadMax);
            header.CopyTo(output);
            var length = header.Length;
            output[length++] = (byte)'.';
            length += Base64Url.EncodeToUtf8(payload[..payloadLength], output[length..]);
            var signingInputLength = length;

            var signatureSize = key.SignatureSize;
            var rented = signatureSize > StackSignatureLimit ? ArrayPool<byte>.Shared.Rent(signatureSize) : null;
            try
            {
                var signature = rented is null ? stackalloc byte[StackSignatureLimit] : rented;
                var signatureLength = key.Sign(output[..signingInputLength], signature);
                output[length++] = (byte)'.';
                length += Base64Url.EncodeToUtf8(signature[..signatureLength], output[length..]);
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }

            return Encoding.ASCII.GetString(output[..length]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes base64url(SHA-256(ASCII(token))) into <paramref name="destination"/> (43 chars).</summary>
    public static void WriteAth(string accessToken, Span<char> destination)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        const int stackLimit = 1024;
        var rented = accessToken.Length > stackLimit ? ArrayPool<byte>.Shared.Rent(accessToken.Length) : null;
        try
        {
            var ascii = rented is null ? stackalloc byte[stackLimit] : rented;
            var count = Encoding.ASCII.GetBytes(accessToken, ascii);
            SHA256.HashData(ascii[..count], hash);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        Base64Url.EncodeToChars(hash, destination);
    }

    public const int AthCharCount = AthLength;

    /// <summary>Fills <paramref name="jti"/> (16 bytes) with CSPRNG bytes that no other proof gets.</summary>
    public static void FillJti(Span<byte> jti)
    {
        var pool = _jtiPool;
        var offset = _jtiOffset;
        if (pool is null || offset > JtiPoolBytes - JtiBytes)
        {
            pool ??= _jtiPool = new byte[JtiPoolBytes];
            RandomNumberGenerator.Fill(pool);
            offset = 0;
        }

        var slice = pool.AsSpan(offset, JtiBytes);
        slice.CopyTo(jti);
        slice.Clear();
        _jtiOffset = offset + JtiBytes;
    }

    private static int WritePayload(Span<byte> destination, string method, Uri uri, ReadOnlySpan<char> ath, string? nonce, long issuedAt, ReadOnlySpan<byte> extraClaims)
    {
        var writer = new AsciiSpanWriter(destination);
        writer.Write("{\"jti\":\""u8);
        Span<byte> jti = stackalloc byte[JtiBytes];
        FillJti(jti);
        writer.Advance(Base64Url.EncodeToUtf8(jti, writer.Free));
        writer.Write("\",\"htm\":\""u8);
        writer.WriteAscii(method);
        writer.Write("\",\"htu\":\""u8);
        writer.Advance(DPoPTargetUri.WriteHtu(uri, writer.Free));
        writer.Write("\",\"iat\":"u8);
        Utf8Formatter.TryFormat(issuedAt, writer.Free, out var iatLength);
        writer.Advance(iatLength);
        if (!ath.IsEmpty)
        {
            writer.Write(",\"ath\":\""u8);
            writer.WriteAscii(ath);
            writer.Write("\""u8);
        }

        if (nonce is not null)
        {
            writer.Write(",\"nonce\":\""u8);
            writer.WriteAscii(nonce);
            writer.Write("\""u8);
        }

        if (!extraClaims.IsEmpty)
        {
            writer.Write(","u8);
            writer.Write(extraClaims);
        }

        writer.Write("}"u8);
        return writer.Length;
    }

    private ref struct AsciiSpanWriter(Span<byte> destination)
    {
        private readonly Span<byte> _destination = destination;

        public int Length { get; private set; }

        public readonly Span<byte> Free => _destination[Length..];

        public void Advance(int count) => Length += count;

        public void Write(ReadOnlySpan<byte> utf8)
        {
            utf8.CopyTo(_destination[Length..]);
            Length += utf8.Length;
        }

        public void WriteAscii(ReadOnlySpan<char> ascii) => Length += Encoding.ASCII.GetBytes(ascii, _destination[Length..]);
    }
}
