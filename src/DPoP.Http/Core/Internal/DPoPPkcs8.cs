using System.Formats.Asn1;
using System.Numerics;
using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;

namespace DPoP.Http.Internal;

/// <summary>
/// PKCS#8 private keys (RFC 5208, RFC 5958): plain ones are imported as the key type their algorithm identifier
/// names; encrypted ones have their password-based key derivation bounded, then are decrypted once.
/// </summary>
internal static class DPoPPkcs8
{
    /// <summary>
    /// The largest PBKDF2 (or PKCS#12 PBE) iteration count accepted in an <c>ENCRYPTED PRIVATE KEY</c>. OWASP's
    /// password storage guidance (2023) asks for 600,000 iterations of PBKDF2-HMAC-SHA256 and 1,300,000 of
    /// PBKDF2-HMAC-SHA1; ten million leaves room for years of growth, while an unbounded count would let one key
    /// file hold start-up for an hour (2^31−1 iterations) before a wrong password is even noticed.
    /// </summary>
    public const int MaxIterations = 10_000_000;

    private const string EcPublicKey = "1.2.840.10045.2.1";
    private const string RsaEncryption = "1.2.840.113549.1.1.1";
    private const string Pbes2 = "1.2.840.113549.1.5.13";
    private const string Pbkdf2 = "1.2.840.113549.1.5.12";

    /// <summary>Imports an unencrypted PKCS#8 <c>PrivateKeyInfo</c>.</summary>
    public static AsymmetricAlgorithm Import(byte[] der, string paramName)
    {
        string algorithm;
        try
        {
            algorithm = Pkcs8PrivateKeyInfo.Decode(der, out _, skipCopy: true).AlgorithmId.Value ?? string.Empty;
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException)
        {
            throw new ArgumentException("The PEM private key is malformed (not a valid PKCS#8 PrivateKeyInfo).", paramName, ex);
        }

        return ImportAs(algorithm, der, paramName);
    }

    /// <summary>Checks the iteration count, decrypts once and imports an <c>EncryptedPrivateKeyInfo</c>.</summary>
    public static AsymmetricAlgorithm ImportEncrypted(byte[] der, string password, string paramName)
    {
        if (ReadIterationCount(der, paramName) > MaxIterations)
        {
            throw new ArgumentException(
                $"The encrypted PEM private key asks for more than {MaxIterations} key derivation iterations; re-encrypt it with fewer.", paramName);
        }

        Pkcs8PrivateKeyInfo info;
        try
        {
            info = Pkcs8PrivateKeyInfo.DecryptAndDecode(password, der, out _);
        }
        catch (Exception ex) when (ex is CryptographicException or AsnContentException)
        {
            throw new ArgumentException("The encrypted PEM private key is malformed or the password is wrong.", paramName, ex);
        }

        var decrypted = info.Encode();
        try
        {
            return ImportAs(info.AlgorithmId.Value ?? string.Empty, decrypted, paramName);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(decrypted);
        }
    }

    private static AsymmetricAlgorithm ImportAs(string algorithm, byte[] der, string paramName)
    {
        AsymmetricAlgorithm key = algorithm switch
        {
            EcPublicKey => ECDsa.Create(),
            RsaEncryption => RSA.Create(),
            _ => throw new ArgumentException("The PKCS#8 private key is neither an EC nor an RSA key.", paramName),
        };

        return DPoPKeyImport.ImportDer(key, k => k.ImportPkcs8PrivateKey(der, out _), paramName);
    }

    /// <summary>
    /// The iteration count of PBES2 with PBKDF2 (RFC 8018 §A.2, §A.4) or of PBES1 and PKCS#12 PBE (one
    /// <c>SEQUENCE { salt, iterationCount }</c>); 0 for a scheme without one, which decryption then refuses.
    /// </summary>
    private static BigInteger ReadIterationCount(byte[] der, string paramName)
    {
        try
        {
            var info = new AsnReader(der, AsnEncodingRules.BER).ReadSequence();
            var scheme = info.ReadSequence();
            var oid = scheme.ReadObjectIdentifier();
            var parameters = scheme.ReadSequence();
            if (oid == Pbes2)
            {
                var kdf = parameters.ReadSequence();
                if (kdf.ReadObjectIdentifier() != Pbkdf2)
                {
                    return BigInteger.Zero;
                }

                parameters = kdf.ReadSequence();
            }

            parameters.ReadOctetString();
            return parameters.ReadInteger();
        }
        catch (Exception ex) when (ex is AsnContentException or CryptographicException)
        {
            throw new ArgumentException("The encrypted PEM private key is malformed (not a valid PKCS#8 EncryptedPrivateKeyInfo).", paramName, ex);
        }
    }
}
