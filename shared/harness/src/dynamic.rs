//! Dynamic typing, modelled in Rust: the teaching device behind the course's "why is Python
//! slow" lessons (exercises 04 mandelbrot and 05 call-overhead start from code written over it).
//!
//! Every value is a reference-counted box ([`Object`], like CPython's `PyObject *`) holding a
//! tagged [`Value`]. Every operation looks at both operands' tags at run time, picks the
//! operation for that pair (int + int, int + float promotes to float, str + str concatenates,
//! str + int is a `TypeError`), unboxes, computes, and boxes a new result on the heap. A
//! function is a boxed `dyn Fn` taking its arguments as a `Vec` of boxes, looked up by name in
//! its module's globals on every call, as CPython does for `fib(n - 1)` inside `fib`.
//!
//! Nothing here is slow on purpose: each step is what a dynamic language must do when it knows
//! nothing about the types in advance. Static types remove every one of them: that is the
//! whole of the Cython lesson, and why `f64` arithmetic in Rust is a single instruction.

use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

/// A Python object: a pointer to a heap box with a reference count, like `PyObject *`.
#[derive(Clone)]
pub struct Object(Rc<Value>);

/// What a box can hold; the tag is checked by every operation.
pub enum Value {
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Object>),
    Function(Function),
}

/// A `def`: a name, how many positional arguments it takes, and a body that receives them
/// boxed, in a fresh `Vec`, together with the module it reads its globals from.
pub struct Function {
    pub name: String,
    pub arity: usize,
    #[allow(clippy::type_complexity)]
    pub body: Box<dyn Fn(&Module, Vec<Object>) -> Result<Object, DynError>>,
}

/// What Python would raise.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DynError {
    #[error("TypeError: {0}")]
    Type(String),
    #[error("NameError: name '{0}' is not defined")]
    Name(String),
    #[error("OverflowError: integer result out of range for i64")]
    Overflow,
}

impl Object {
    pub fn int(v: i64) -> Object {
        Object(Rc::new(Value::Int(v)))
    }

    pub fn float(v: f64) -> Object {
        Object(Rc::new(Value::Float(v)))
    }

    pub fn str(v: &str) -> Object {
        Object(Rc::new(Value::Str(v.to_string())))
    }

    pub fn list(items: Vec<Object>) -> Object {
        Object(Rc::new(Value::List(items)))
    }

    pub fn value(&self) -> &Value {
        &self.0
    }

    /// Python's `type(x).__name__`.
    pub fn type_name(&self) -> &'static str {
        match *self.0 {
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Function(_) => "function",
        }
    }

    /// Unboxes a number as a float (an `int` is promoted), or says what the value was instead.
    pub fn as_float(&self) -> Result<f64, DynError> {
        self.as_number().ok_or_else(|| DynError::Type(format!("must be real number, not {}", self.type_name())))
    }

    /// Unboxes an `int`, or says what the value was instead.
    pub fn as_int(&self) -> Result<i64, DynError> {
        match *self.0 {
            Value::Int(v) => Ok(v),
            _ => Err(DynError::Type(format!("expected an int, got '{}'", self.type_name()))),
        }
    }

    /// `self + other`, dispatched on both tags at run time.
    pub fn add(&self, other: &Object) -> Result<Object, DynError> {
        match (&*self.0, &*other.0) {
            (Value::Int(a), Value::Int(b)) => a.checked_add(*b).map(Object::int).ok_or(DynError::Overflow),
            (Value::Str(a), Value::Str(b)) => Ok(Object::str(&format!("{a}{b}"))),
            (Value::List(a), Value::List(b)) => Ok(Object::list(a.iter().chain(b).cloned().collect())),
            _ => match (self.as_number(), other.as_number()) {
                (Some(a), Some(b)) => Ok(Object::float(a + b)),
                _ => Err(self.unsupported("+", other)),
            },
        }
    }

    /// `self - other`.
    pub fn sub(&self, other: &Object) -> Result<Object, DynError> {
        match (&*self.0, &*other.0) {
            (Value::Int(a), Value::Int(b)) => a.checked_sub(*b).map(Object::int).ok_or(DynError::Overflow),
            _ => match (self.as_number(), other.as_number()) {
                (Some(a), Some(b)) => Ok(Object::float(a - b)),
                _ => Err(self.unsupported("-", other)),
            },
        }
    }

    /// `self * other`: numbers multiply (int × float promotes), `str * int` repeats, as in Python.
    pub fn mul(&self, other: &Object) -> Result<Object, DynError> {
        match (&*self.0, &*other.0) {
            (Value::Int(a), Value::Int(b)) => a.checked_mul(*b).map(Object::int).ok_or(DynError::Overflow),
            (Value::Str(s), Value::Int(n)) | (Value::Int(n), Value::Str(s)) => {
                Ok(Object::str(&s.repeat((*n).max(0) as usize)))
            }
            _ => match (self.as_number(), other.as_number()) {
                (Some(a), Some(b)) => Ok(Object::float(a * b)),
                _ => Err(self.unsupported("*", other)),
            },
        }
    }

    /// `self < other`.
    pub fn lt(&self, other: &Object) -> Result<bool, DynError> {
        match (&*self.0, &*other.0) {
            (Value::Int(a), Value::Int(b)) => Ok(a < b),
            (Value::Str(a), Value::Str(b)) => Ok(a < b),
            _ => match (self.as_number(), other.as_number()) {
                (Some(a), Some(b)) => Ok(a < b),
                _ => Err(DynError::Type(format!(
                    "'<' not supported between instances of '{}' and '{}'",
                    self.type_name(),
                    other.type_name()
                ))),
            },
        }
    }

    fn as_number(&self) -> Option<f64> {
        match *self.0 {
            Value::Int(v) => Some(v as f64),
            Value::Float(v) => Some(v),
            _ => None,
        }
    }

    fn unsupported(&self, op: &str, other: &Object) -> DynError {
        DynError::Type(format!(
            "unsupported operand type(s) for {op}: '{}' and '{}'",
            self.type_name(),
            other.type_name()
        ))
    }
}

/// Boxing, as Python does for every literal: `Object::from(2)`, `2.5.into()`.
macro_rules! boxing {
    ($($t:ty => $make:expr),* $(,)?) => {$(
        impl From<$t> for Object {
            fn from(v: $t) -> Object {
                $make(v)
            }
        }
    )*};
}

boxing!(
    i32 => |v: i32| Object::int(v.into()),
    i64 => Object::int,
    u32 => |v: u32| Object::int(v.into()),
    f64 => Object::float,
);

impl fmt::Debug for Object {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.0 {
            Value::Int(v) => write!(f, "{v}"),
            Value::Float(v) => write!(f, "{v:?}"),
            Value::Str(v) => write!(f, "{v:?}"),
            Value::List(v) => f.debug_list().entries(v).finish(),
            Value::Function(func) => write!(f, "<function {}>", func.name),
        }
    }
}

/// A module's globals: every name, looked up by string at each use.
#[derive(Default)]
pub struct Module {
    globals: HashMap<String, Object>,
}

impl Module {
    pub fn new() -> Module {
        Module::default()
    }

    /// `def name(...)`: binds a function taking `arity` positional arguments.
    pub fn def(
        &mut self,
        name: &str,
        arity: usize,
        body: impl Fn(&Module, Vec<Object>) -> Result<Object, DynError> + 'static,
    ) {
        let function = Function { name: name.to_string(), arity, body: Box::new(body) };
        self.globals.insert(name.to_string(), Object(Rc::new(Value::Function(function))));
    }

    /// `name(*args)`: look the name up, check it is a function and the argument count, call.
    pub fn call(&self, name: &str, args: Vec<Object>) -> Result<Object, DynError> {
        let object = self.globals.get(name).ok_or_else(|| DynError::Name(name.to_string()))?;
        let Value::Function(function) = object.value() else {
            return Err(DynError::Type(format!("'{}' object is not callable", object.type_name())));
        };
        if args.len() != function.arity {
            return Err(DynError::Type(format!(
                "{}() takes {} positional argument{} but {} were given",
                function.name,
                function.arity,
                if function.arity == 1 { "" } else { "s" },
                args.len()
            )));
        }
        (function.body)(self, args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_checks_types_at_run_time() {
        let (two, half, s) = (Object::int(2), Object::float(0.5), Object::str("a"));
        assert_eq!(two.add(&two).unwrap().as_int(), Ok(4));
        assert_eq!(format!("{:?}", two.sub(&half).unwrap()), "1.5");
        assert_eq!(format!("{:?}", s.add(&s).unwrap()), "\"aa\"");
        assert_eq!(
            two.add(&s).unwrap_err().to_string(),
            "TypeError: unsupported operand type(s) for +: 'int' and 'str'"
        );
        assert!(two.lt(&Object::int(3)).unwrap());
        assert!(s.lt(&two).is_err());
        assert_eq!(Object::int(i64::MAX).add(&two).unwrap_err(), DynError::Overflow);
        let list = Object::list(vec![two.clone()]);
        assert_eq!(format!("{:?}", list.add(&list).unwrap()), "[2, 2]");
    }

    #[test]
    fn int_and_float_promote_like_python() {
        let (three, half) = (Object::int(3), Object::float(0.5));
        assert_eq!(three.add(&half).unwrap().type_name(), "float");
        assert_eq!(three.mul(&half).unwrap().as_float(), Ok(1.5));
        assert_eq!(three.mul(&three).unwrap().type_name(), "int", "int * int stays int");
        assert_eq!(three.as_float(), Ok(3.0));
        // 2 * zr in the Mandelbrot kernel: int × float gives exactly the f64 product.
        assert_eq!(Object::int(2).mul(&Object::float(0.1)).unwrap().as_float(), Ok(2.0 * 0.1));
    }

    #[test]
    fn mixing_strings_and_numbers_is_a_type_error() {
        let (s, one) = (Object::str("ab"), Object::int(1));
        assert_eq!(
            s.sub(&one).unwrap_err().to_string(),
            "TypeError: unsupported operand type(s) for -: 'str' and 'int'"
        );
        assert_eq!(format!("{:?}", s.mul(&Object::int(3)).unwrap()), "\"ababab\"", "str * int repeats");
        assert_eq!(
            s.mul(&Object::float(2.0)).unwrap_err().to_string(),
            "TypeError: unsupported operand type(s) for *: 'str' and 'float'"
        );
        assert_eq!(s.as_float().unwrap_err().to_string(), "TypeError: must be real number, not str");
    }

    #[test]
    fn calls_look_up_names_and_check_arguments() {
        let mut m = Module::new();
        m.def("double", 1, |_, args| args[0].add(&args[0]));
        assert_eq!(m.call("double", vec![Object::int(21)]).unwrap().as_int(), Ok(42));
        assert_eq!(m.call("triple", vec![]).unwrap_err(), DynError::Name("triple".into()));
        assert_eq!(
            m.call("double", vec![]).unwrap_err().to_string(),
            "TypeError: double() takes 1 positional argument but 0 were given"
        );
    }
}
