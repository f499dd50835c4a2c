package dev.isthmus.http1;

/** The HTTP/1.x versions this codec speaks. */
public enum HttpVersion {
    HTTP_1_0,
    HTTP_1_1
}
