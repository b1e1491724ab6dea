SELECT /* never closed
