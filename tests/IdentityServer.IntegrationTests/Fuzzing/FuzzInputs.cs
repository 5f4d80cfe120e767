using System.Globalization;
using System.Text;
using CsCheck;

namespace IdentityHost.IdentityServer.IntegrationTests.Fuzzing;

/// <summary>Generators of hostile request bodies: random Unicode, huge fields, wrong JSON types, duplicate keys, garbage.</summary>
internal static class FuzzInputs
{
    /// <summary>Any UTF-16 code unit: lone surrogates, NUL, controls, RTL marks and combining characters included.</summary>
    public static readonly Gen<string> AnyText = Gen.Frequency(
        (4, Gen.String[Gen.Char, 0, 40]),
        (2, Gen.String[Gen.Char["\0\u0001\u001f\u007f\u200f\u202e\u0301\ufeff\ufffe\uffff\ud800\udfff'\";\\-/*#%=&+ azAZ09"], 0, 40]),
        (1, Gen.Int[60_000, 70_000].Select(length => new string('x', length))),
        (1, Gen.Int[1, 400].Select(length => new string('é', length))));

    /// <summary>A JSON value of any type, as JSON text; strings escape every non-ASCII unit, lone surrogates too.</summary>
    public static readonly Gen<string> AnyJsonValue = Gen.Frequency(
        (6, AnyText.Select(Quote)),
        (1, Gen.Long.Select(number => number.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Double.Select(number => double.IsFinite(number) ? number.ToString("R", CultureInfo.InvariantCulture) : "1e999")),
        (1, Gen.Bool.Select(value => value ? "true" : "false")),
        (1, Gen.Const("null")),
        (1, AnyText.Array[0, 3].Select(items => "[" + string.Join(",", items.Select(Quote)) + "]")),
        (1, AnyText.Select(text => "{\"value\":" + Quote(text) + "}")));

    /// <summary>A JSON object over <paramref name="fields"/> (plus a stray one), with keys repeated at times.</summary>
    public static Gen<string> JsonObject(params string[] fields) =>
        Gen.Select(Gen.OneOf([.. fields, "extra", "USERNAME"]), AnyJsonValue).Array[0, 6]
            .Select(pairs => "{" + string.Join(",", pairs.Select(pair => Quote(pair.Item1) + ":" + pair.Item2)) + "}");

    /// <summary>Not JSON at all, or JSON cut short.</summary>
    public static readonly Gen<string> Garbage = Gen.OneOf(
        AnyText,
        Gen.Const(""),
        Gen.Const("{"),
        Gen.Const("[1,2]"),
        Gen.Const("null"),
        Gen.Const("{\"username\":\"a\"")); // cut short

    /// <summary>Form bodies over <paramref name="fields"/>: random values, keys repeated at times, odd escapes.</summary>
    public static Gen<string> Form(params string[] fields) =>
        Gen.Select(Gen.OneOf([.. fields, "extra", "%00", "a[b]"]), AnyText).Array[0, 8]
            .Select(pairs => string.Join("&", pairs.Select(pair => Uri.EscapeDataString(pair.Item1) + "=" + EscapeLoosely(pair.Item2))));

    /// <summary>Content types a client might send, right and wrong.</summary>
    public static readonly Gen<string?> ContentType = Gen.OneOf<string?>(
        "application/json", "application/json; charset=utf-8", "application/x-www-form-urlencoded", "text/plain",
        "multipart/form-data; boundary=x", "application/xml", "application/json; charset=latin1", null);

    private static string Quote(string text)
    {
        var json = new StringBuilder("\"");
        foreach (var unit in text)
        {
            if (unit is >= ' ' and < '\u007f' and not '"' and not '\\')
            {
                json.Append(unit);
            }
            else
            {
                json.Append(CultureInfo.InvariantCulture, $"\\u{(int)unit:x4}");
            }
        }

        return json.Append('"').ToString();
    }

    private static string EscapeLoosely(string text)
    {
        // Note: lone surrogates cannot be percent-encoded as UTF-8; they go as raw %-escapes of their bytes.
        try
        {
            return Uri.EscapeDataString(text);
        }
        catch (UriFormatException)
        {
            return "%ED%A0%80" + text.Length.ToString(CultureInfo.InvariantCulture);
        }
    }
}
